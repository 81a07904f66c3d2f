import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore: StateCounting {
    /// The tables ``StateSnapshot/counts`` counts, by the names it uses.
    static let countedTables = [
        ("events", "events"), ("subscriptions", "subscribed_events"), ("calendar sources", "calendar_sources"), ("overrides", "overrides"),
        ("runs", "runs"), ("steps", "steps"), ("ledger", "ledger_nodes"), ("alerts", "alerts"), ("locks", "run_locks"),
    ]

    public func stateCounts() async throws -> [String: Int] {
        try await read { sql in try await Self.counts(sql) }
    }

    static func counts(_ sql: SQL) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for (name, table) in countedTables {
            counts[name] = Int(try await sql.value("SELECT count(*) FROM \(unescaped: table)", as: Int64.self) ?? 0)
        }
        return counts
    }

    /// Writes `snapshot` into this database, ids kept, in one transaction: all or nothing.
    /// - Throws: ``StoreError`` naming what is there when the database holds anything already: nothing
    ///   is overwritten, and nothing was changed.
    public func importState(_ snapshot: StateSnapshot) async throws {
        let location = self.location
        try await write { sql in
            try await sql.run("LOCK TABLE \(unescaped: Self.countedTables.map(\.1).joined(separator: ", ")) IN EXCLUSIVE MODE")
            let held = try await Self.counts(sql).filter { $0.value > 0 }.sorted { $0.key < $1.key }
            guard held.isEmpty else {
                let what = held.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                throw StoreError("the target database \(location) is not empty (\(what)); nothing was copied or changed. Move into an empty database")
            }
            for (event, createdAt) in snapshot.events {
                try await sql.run(
                    """
                    INSERT INTO events (id, name, start_at, end_at, time_zone, counts, notes, created_at)
                    VALUES (\(event.id), \(event.name), \(event.start), \(event.end), \(event.timeZone), \(try JSONText.encode(event.counts)),
                      \(event.notes), \(createdAt))
                    """)
            }
            for (eventID, source, key) in snapshot.subscriptions {
                try await sql.run(
                    """
                    INSERT INTO subscribed_events (event_id, source, uid, recurrence_id)
                    VALUES (\(eventID), \(source), \(key.uid), \(Int64(key.recurrenceID)))
                    """)
            }
            for (source, state) in snapshot.feeds { try await Self.save(state, source: source, sql: sql) }
            for (fleet, override, clearedAt) in snapshot.overrides {
                try await sql.run(
                    """
                    INSERT INTO overrides (id, fleet, action, reason, author, created_at, expires_at, cleared_at)
                    VALUES (\(override.id), \(fleet), \(try JSONText.encode(override.action)), \(override.reason), \(override.author),
                      \(override.createdAt), \(override.expiresAt), \(clearedAt))
                    """)
            }
            for (fleet, run) in snapshot.runs {
                try await sql.run(
                    """
                    INSERT INTO runs (id, fleet, command, at, started_at, ended_at, outcome, pid, host, summary, error)
                    VALUES (\(run.id), \(fleet), \(run.command), \(run.at), \(run.startedAt), \(run.endedAt), \(run.outcome.rawValue),
                      \(run.pid), \(run.host), \(run.summary), \(run.error))
                    """)
            }
            for (runID, step) in snapshot.steps {
                try await sql.run(
                    """
                    INSERT INTO steps (id, run_id, role, kind, target, detail, started_at, ended_at, outcome, error)
                    VALUES (\(step.id), \(runID), \(step.role), \(step.kind), \(step.target), \(step.detail), \(step.startedAt), \(step.endedAt),
                      \(step.outcome.rawValue), \(step.error))
                    """)
            }
            for (fleet, node) in snapshot.ledger { try await Self.insert(node, fleet: fleet, sql: sql) }
            for (fleet, entry) in snapshot.alerts {
                let alert = entry.alert
                let problemKey = alert.kind == .test || alert.kind == .success ? nil : alert.problemKey
                try await sql.run(
                    """
                    INSERT INTO alerts (id, fleet, run_id, mode, kind, problem_key, channel, title, payload, created_at, delivered_at,
                      attempts, error, repeats, resolved_at)
                    VALUES (\(entry.id), \(fleet), \(entry.runID), \(entry.mode), \(alert.kind.rawValue), \(problemKey), \(entry.channel),
                      \(alert.title), \(try JSONText.encode(alert)), \(entry.createdAt), \(entry.deliveredAt), \(Int32(clamping: entry.attempts)),
                      \(entry.error), \(Int32(clamping: entry.repeats)), \(entry.resolvedAt))
                    """)
            }
            // Ids were given: the sequences go on after the highest.
            for table in ["events", "overrides", "runs", "steps", "ledger_nodes", "alerts"] {
                try await sql.run(
                    """
                    SELECT setval(pg_get_serial_sequence(\(table), 'id'), coalesce(max(id), 0) + 1, false) FROM \(unescaped: table)
                    """)
            }
        }
    }
}
