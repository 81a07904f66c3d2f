import Foundation
import GRDB
import ScaleCore

struct AlertRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "alert"
    var id: Int64?
    var fleet: String
    var runID: Int64?
    var mode: String?
    var kind: String
    var problemKey: String?
    var channel: String
    var title: String
    var payload: Alert
    var createdAt: Date
    var deliveredAt: Date?
    var attempts: Int
    var error: String?
    var repeats: Int
    var resolvedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var entry: AlertEntry {
        AlertEntry(
            id: id ?? 0, runID: runID, mode: mode, channel: channel, alert: payload, createdAt: createdAt,
            deliveredAt: deliveredAt, attempts: attempts, error: error, repeats: repeats, resolvedAt: resolvedAt)
    }
}

extension Store {
    public func beginAlert(_ alert: Alert, channel: String, runID: Int64?, mode: String?, at instant: Date) async throws -> Int64 {
        try await write { [self] db in
            var record = AlertRecord(
                id: nil, fleet: self.fleet, runID: runID, mode: mode, kind: alert.kind.rawValue,
                problemKey: alert.kind == .test || alert.kind == .success ? nil : alert.problemKey, channel: channel,
                title: alert.title, payload: alert, createdAt: instant, deliveredAt: nil, attempts: 0, error: nil,
                repeats: 0, resolvedAt: nil)
            try record.insert(db)
            return record.id ?? 0
        }
    }

    public func endAlert(_ id: Int64, deliveredAt: Date?, attempts: Int, error: String?) async throws {
        _ = try await write { [self] db in
            try AlertRecord.filter(key: id).updateAll(
                db, Column("deliveredAt").set(to: deliveredAt), Column("attempts").set(to: attempts),
                Column("error").set(to: error))
        }
    }

    public func openFailures() async throws -> [AlertEntry] {
        try await database.read { db in
            try AlertRecord
                .filter(Column("fleet") == self.fleet && Column("kind") == Alert.Kind.failure.rawValue && Column("resolvedAt") == nil)
                .order(Column("id")).fetchAll(db).map(\.entry)
        }
    }

    public func noteRepeat(_ id: Int64) async throws {
        _ = try await write { [self] db in
            try AlertRecord.filter(key: id).updateAll(db, Column("repeats") += 1)
        }
    }

    public func resolve(problemKeys: [String], at instant: Date) async throws {
        guard !problemKeys.isEmpty else { return }
        _ = try await write { [self] db in
            try AlertRecord
                .filter(Column("fleet") == self.fleet && Column("kind") == Alert.Kind.failure.rawValue && Column("resolvedAt") == nil)
                .filter(problemKeys.contains(Column("problemKey")))
                .updateAll(db, Column("resolvedAt").set(to: instant))
        }
    }

    /// The latest alert entries of the fleet, newest first: what was sent where, and how it went.
    public func alerts(limit: Int) async throws -> [AlertEntry] {
        try await database.read { db in
            try AlertRecord.filter(Column("fleet") == fleet).order(Column("id").desc).limit(limit).fetchAll(db).map(\.entry)
        }
    }
}
