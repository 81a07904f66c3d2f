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

        return migrator
    }
}
