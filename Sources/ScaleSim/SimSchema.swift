import Foundation
import GRDB
import ScaleCore

/// The sim's tables, kept in the controller's database so separate processes see one cloud.
enum SimSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("Sim: create servers, balancers and counters") { db in
            try db.create(table: "simServer") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().indexed()
                t.column("labels", .jsonText).notNull()
                t.column("serverType", .text).notNull()
                t.column("imageID", .text).notNull()
                t.column("port", .integer).notNull()
                t.column("pid", .integer)
                t.column("createdAt", .double).notNull()
                t.column("runningAt", .double)
                t.column("deleteRequestedAt", .double)
                t.column("goneAt", .double)
            }
            try db.create(table: "simTarget") { t in
                t.column("balancer", .text).notNull()
                t.column("serverID", .integer).notNull()
                t.column("attachedAt", .double).notNull()
                t.primaryKey(["balancer", "serverID"])
            }
            try db.create(table: "simCounter") { t in
                t.primaryKey("key", .text)
                t.column("value", .integer).notNull()
            }
        }
        migrator.registerMigration("Sim: create the request budget") { db in
            try db.create(table: "simBudget") { t in
                t.primaryKey("key", .text)
                t.column("tokens", .double).notNull()
                t.column("updatedAt", .double).notNull()
            }
        }
        migrator.registerMigration("Sim: create images") { db in
            try db.create(table: "simImage") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("labels", .jsonText).notNull()
                t.column("serverName", .text).notNull()
                t.column("createdAt", .double).notNull()
                t.column("readyAt", .double).notNull()
                t.column("failed", .boolean).notNull()
                t.column("sizeGB", .double).notNull()
                t.column("consistent", .boolean).notNull()
            }
        }
        migrator.registerMigration("Sim: remember when a node's process started") { db in
            // With the pid, the start time tells the node's process from a later one that got its pid.
            try db.alter(table: "simServer") { t in t.add(column: "processStart", .integer) }
        }
        migrator.registerMigration("Sim: remember where a server runs") { db in
            try db.alter(table: "simServer") { t in t.add(column: "location", .text) }
        }
        return migrator
    }
}

struct SimServer: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "simServer"
    var id: Int64?
    var name: String
    var labels: [String: String]
    var serverType: String
    var imageID: String
    var port: Int
    var pid: Int32?
    /// When the process `pid` started (clock ticks since boot), so a reused pid is never signalled.
    var processStart: Int64?
    var createdAt: Double
    var runningAt: Double?
    var deleteRequestedAt: Double?
    var goneAt: Double?
    /// The location it was created in (`[provider] locations`), if any.
    var location: String? = nil

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Loopback addresses, one per node, so boot commands of several nodes can bind side by side.
    var privateIP: String {
        let n = id ?? 0
        return "127.0.\(1 + n / 250 % 250).\(1 + n % 250)"
    }

    func state(at now: Double) -> (NodeState, String) {
        if deleteRequestedAt != nil { return (.deleting, "deleting") }
        guard let runningAt, now >= runningAt else { return (.creating, "initializing") }
        return (.running, "running")
    }

    func node(at now: Double, readinessDelay: Double = 0) -> Node {
        let (state, status) = state(at: now)
        return Node(
            id: String(id ?? 0), name: name, state: state, labels: labels, privateIP: privateIP, publicIP: nil,
            serverType: serverType, createdAt: Date(timeIntervalSince1970: createdAt), providerStatus: status,
            templateValues: ["port": String(port), "ready_at": runningAt.map { String($0 + readinessDelay) } ?? "never"], imageID: imageID,
            location: location)
    }
}

struct SimTarget: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "simTarget"
    var balancer: String
    var serverID: Int64
    var attachedAt: Double
}
