import Foundation
import GRDB
import ScaleCore

struct OverrideRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "override"
    var id: Int64?
    var fleet: String
    var action: Override.Action
    var reason: String
    var author: String
    var createdAt: Date
    var expiresAt: Date?
    var clearedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var override: Override {
        Override(id: id ?? 0, action: action, reason: reason, author: author, createdAt: createdAt, expiresAt: expiresAt)
    }
}

extension Store {
    public func addOverride(_ action: Override.Action, reason: String, author: String, at instant: Date, expiresAt: Date?) async throws -> Override {
        try await write { [self] db in
            var record = OverrideRecord(
                id: nil, fleet: fleet, action: action, reason: reason, author: author, createdAt: instant,
                expiresAt: expiresAt, clearedAt: nil)
            try record.insert(db)
            return record.override
        }
    }

    /// Overrides not cleared; the planner decides which are active at a given instant.
    public func overrides() async throws -> [Override] {
        try await database.read { db in
            try OverrideRecord.filter(Column("fleet") == fleet && Column("clearedAt") == nil).order(Column("id")).fetchAll(db)
                .map(\.override)
        }
    }

    /// Clears one override, or all when `id` is nil; returns how many were cleared.
    @discardableResult
    public func clearOverrides(id: Int64?, at instant: Date) async throws -> Int {
        try await write { [self] db in
            var request = OverrideRecord.filter(Column("fleet") == fleet && Column("clearedAt") == nil)
            if let id { request = request.filter(key: id) }
            return try request.updateAll(db, Column("clearedAt").set(to: instant))
        }
    }
}
