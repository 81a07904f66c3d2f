import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    static func override(_ row: PostgresRow) throws -> Override {
        let (id, action, reason, author, createdAt, expiresAt) = try row.decode((Int64, String, String, String, Date, Date?).self)
        return Override(
            id: id, action: try JSONText.decode(Override.Action.self, action), reason: reason, author: author, createdAt: createdAt,
            expiresAt: expiresAt)
    }

    public func addOverride(_ action: Override.Action, reason: String, author: String, at instant: Date, expiresAt: Date?) async throws -> Override {
        let fleet = self.fleet
        let encoded = try JSONText.encode(action)
        return try await write { sql in
            let rows = try await sql.rows(
                """
                INSERT INTO overrides (fleet, action, reason, author, created_at, expires_at)
                VALUES (\(fleet), \(encoded), \(reason), \(author), \(instant), \(expiresAt))
                RETURNING id, action, reason, author, created_at, expires_at
                """)
            guard let row = rows.first else { throw StoreError("the override row got no id") }
            return try Self.override(row)
        }
    }

    public func overrides() async throws -> [Override] {
        let fleet = self.fleet
        return try await read { sql in
            try await sql.rows(
                """
                SELECT id, action, reason, author, created_at, expires_at FROM overrides
                WHERE fleet = \(fleet) AND cleared_at IS NULL ORDER BY id
                """
            ).map(Self.override)
        }
    }

    @discardableResult
    public func clearOverrides(id: Int64?, at instant: Date) async throws -> Int {
        let fleet = self.fleet
        return try await write { sql in
            try await sql.rows(
                """
                UPDATE overrides SET cleared_at = \(instant)
                WHERE fleet = \(fleet) AND cleared_at IS NULL AND (\(id)::bigint IS NULL OR id = \(id)) RETURNING id
                """
            ).count
        }
    }
}
