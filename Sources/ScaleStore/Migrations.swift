import Foundation
import GRDB

extension Store {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("Create events") { db in
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("start", .datetime).notNull()
                t.column("end", .datetime).notNull()
                t.column("timeZone", .text).notNull()
                t.column("counts", .jsonText).notNull().defaults(to: "{}")
                t.column("notes", .text)
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["name", "start"])
                t.check(sql: "\"end\" > start")
            }
        }

        migrator.registerMigration("Create overrides") { db in
            try db.create(table: "override") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("fleet", .text).notNull()
                t.column("action", .jsonText).notNull()
                t.column("reason", .text).notNull()
                t.column("author", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime)
                t.column("clearedAt", .datetime)
            }
        }

        migrator.registerMigration("Create runs and steps") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("fleet", .text).notNull().indexed()
                t.column("command", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("outcome", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("host", .text).notNull()
                t.column("summary", .text)
                t.column("error", .text)
            }
            try db.create(table: "step") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("run", onDelete: .cascade).notNull()
                t.column("role", .text)
                t.column("kind", .text).notNull()
                t.column("target", .text)
                t.column("detail", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("outcome", .text).notNull()
                t.column("error", .text)
            }
        }

        migrator.registerMigration("Create the node ledger") { db in
            try db.create(table: "ledgerNode") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("fleet", .text).notNull()
                t.column("name", .text).notNull()
                t.column("role", .text).notNull()
                t.column("event", .text)
                t.column("serverType", .text)
                t.column("runID", .integer)
                t.column("providerID", .text)
                t.column("requestedAt", .datetime).notNull()
                t.column("createdAt", .datetime)
                t.column("goneAt", .datetime)
                t.column("state", .text).notNull()
            }
            try db.create(index: "ledgerNode_open", on: "ledgerNode", columns: ["fleet", "name", "goneAt"])
        }

        migrator.registerMigration("Create the run lock") { db in
            try db.create(table: "runLock") { t in
                t.primaryKey("fleet", .text)
                t.column("runID", .integer).notNull()
                t.column("command", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("host", .text).notNull()
                t.column("processStart", .integer)
                t.column("since", .datetime).notNull()
                t.column("heartbeat", .datetime).notNull()
            }
        }

        migrator.registerMigration("Create alerts") { db in
            try db.create(table: "alert") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("fleet", .text).notNull()
                t.column("runID", .integer)
                t.column("mode", .text)
                t.column("kind", .text).notNull()
                t.column("problemKey", .text)
                t.column("channel", .text).notNull()
                t.column("title", .text).notNull()
                t.column("payload", .jsonText).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("deliveredAt", .datetime)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("error", .text)
                t.column("repeats", .integer).notNull().defaults(to: 0)
                t.column("resolvedAt", .datetime)
            }
            try db.create(index: "alert_open", on: "alert", columns: ["fleet", "kind", "resolvedAt"])
        }

        migrator.registerMigration("Index runs by time, for pruning the history") { db in
            try db.create(index: "run_fleet_at", on: "run", columns: ["fleet", "at"])
        }

        migrator.registerMigration("Create calendar subscriptions") { db in
            // Which events a subscribed feed added, keyed by source, UID and occurrence; events added by
            // hand or from CSV have no row here, so a sync never touches them.
            try db.create(table: "subscribedEvent") { t in
                t.column("eventID", .integer).notNull().primaryKey().references("event", onDelete: .cascade)
                t.column("source", .text).notNull()
                t.column("uid", .text).notNull()
                t.column("recurrenceID", .integer).notNull()
                t.uniqueKey(["source", "uid", "recurrenceID"])
            }
            // The last answer of each feed: validators for conditional requests, and the last problem.
            try db.create(table: "calendarSource") { t in
                t.column("source", .text).notNull().primaryKey()
                t.column("etag", .text)
                t.column("lastModified", .text)
                t.column("checkedAt", .datetime)
                t.column("syncedAt", .datetime)
                t.column("problem", .text)
            }
        }

        migrator.registerMigration("Create the leader lease") { db in
            // One row per fleet, kept when released so the epoch only grows.
            try db.create(table: "lease") { t in
                t.primaryKey("fleet", .text)
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("processStart", .integer)
                t.column("command", .text).notNull()
                t.column("epoch", .integer).notNull()
                t.column("since", .datetime).notNull()
                t.column("expires", .datetime).notNull()
            }
            // Every controller that claimed the lease lately: the leader and those standing by.
            try db.create(table: "controller") { t in
                t.column("fleet", .text).notNull()
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("processStart", .integer)
                t.column("command", .text).notNull()
                t.column("seen", .datetime).notNull()
                t.primaryKey(["fleet", "host", "pid"])
            }
            // The lease epoch a run's lock was taken under: a lock from an older epoch is stale.
            try db.alter(table: "runLock") { t in t.add(column: "epoch", .integer) }
        }

        return migrator
    }
}
