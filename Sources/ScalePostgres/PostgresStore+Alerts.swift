import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    static let alertColumns = "id, run_id, mode, channel, payload, created_at, delivered_at, attempts, error, repeats, resolved_at"

    static func alert(_ row: PostgresRow) throws -> AlertEntry {
        let (id, runID, mode, channel, payload, createdAt, deliveredAt, attempts, error, repeats, resolvedAt) =
            try row.decode((Int64, Int64?, String?, String, String, Date, Date?, Int32, String?, Int32, Date?).self)
        return AlertEntry(
            id: id, runID: runID, mode: mode, channel: channel, alert: try JSONText.decode(Alert.self, payload), createdAt: createdAt,
            deliveredAt: deliveredAt, attempts: Int(attempts), error: error, repeats: Int(repeats), resolvedAt: resolvedAt)
    }

    public func beginAlert(_ alert: Alert, channel: String, runID: Int64?, mode: String?, at instant: Date) async throws -> Int64 {
        let fleet = self.fleet
        let payload = try JSONText.encode(alert)
        let problemKey = alert.kind == .test || alert.kind == .success ? nil : alert.problemKey
        return try await write { sql in
            try await sql.value(
                """
                INSERT INTO alerts (fleet, run_id, mode, kind, problem_key, channel, title, payload, created_at)
                VALUES (\(fleet), \(runID), \(mode), \(alert.kind.rawValue), \(problemKey), \(channel), \(alert.title), \(payload), \(instant))
                RETURNING id
                """, as: Int64.self) ?? 0
        }
    }

    public func endAlert(_ id: Int64, deliveredAt: Date?, attempts: Int, error: String?) async throws {
        try await write { sql in
            try await sql.run(
                "UPDATE alerts SET delivered_at = \(deliveredAt), attempts = \(Int32(clamping: attempts)), error = \(error) WHERE id = \(id)")
        }
    }

    public func openFailures() async throws -> [AlertEntry] {
        let fleet = self.fleet
        return try await read { sql in
            try await sql.rows(
                """
                SELECT \(unescaped: Self.alertColumns) FROM alerts
                WHERE fleet = \(fleet) AND kind = \(Alert.Kind.failure.rawValue) AND resolved_at IS NULL ORDER BY id
                """
            ).map(Self.alert)
        }
    }

    public func noteRepeat(_ id: Int64) async throws {
        try await write { sql in try await sql.run("UPDATE alerts SET repeats = repeats + 1 WHERE id = \(id)") }
    }

    public func resolve(problemKeys: [String], at instant: Date) async throws {
        guard !problemKeys.isEmpty else { return }
        let fleet = self.fleet
        try await write { sql in
            try await sql.run(
                """
                UPDATE alerts SET resolved_at = \(instant)
                WHERE fleet = \(fleet) AND kind = \(Alert.Kind.failure.rawValue) AND resolved_at IS NULL
                  AND problem_key = ANY(\(problemKeys))
                """)
        }
    }

    public func alerts(limit: Int) async throws -> [AlertEntry] {
        let fleet = self.fleet
        return try await read { sql in
            try await sql.rows("SELECT \(unescaped: Self.alertColumns) FROM alerts WHERE fleet = \(fleet) ORDER BY id DESC LIMIT \(limit)")
                .map(Self.alert)
        }
    }
}
