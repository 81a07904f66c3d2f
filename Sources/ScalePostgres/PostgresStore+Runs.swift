import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    static let runColumns = "id, command, at, started_at, ended_at, outcome, pid, host, summary, error"
    static let stepColumns = "id, role, kind, target, detail, started_at, ended_at, outcome, error"

    static func run(_ row: PostgresRow) throws -> RunInfo {
        let (id, command, at, startedAt, endedAt, outcome, pid, host, summary, error) =
            try row.decode((Int64, String, Date, Date, Date?, String, Int64, String, String?, String?).self)
        return RunInfo(
            id: id, command: command, at: at, startedAt: startedAt, endedAt: endedAt, outcome: RunOutcome(rawValue: outcome) ?? .running,
            pid: pid, host: host, summary: summary, error: error)
    }

    static func step(_ row: PostgresRow) throws -> StepInfo {
        let (id, role, kind, target, detail, startedAt, endedAt, outcome, error) =
            try row.decode((Int64, String?, String, String?, String, Date, Date?, String, String?).self)
        return StepInfo(
            id: id, role: role, kind: kind, target: target, detail: detail, startedAt: startedAt, endedAt: endedAt,
            outcome: StepOutcome(rawValue: outcome) ?? .running, error: error)
    }

    /// Writes a step as it starts: for a mutation, its intent. Fenced by the leader lease.
    public func begin(_ step: StepEntry, at instant: Date) async throws -> Int64 {
        try await write { [self] sql in
            try await checkFence(sql, run: step.runID)
            let id = try await sql.value(
                """
                INSERT INTO steps (run_id, role, kind, target, detail, started_at, outcome)
                VALUES (\(step.runID), \(step.role), \(step.kind), \(step.target), \(step.detail), \(instant), \(StepOutcome.running.rawValue))
                RETURNING id
                """, as: Int64.self)
            return id ?? 0
        }
    }

    public func end(_ step: Int64, outcome: StepOutcome, error: String?, at instant: Date) async throws {
        try await write { sql in
            try await sql.run("UPDATE steps SET ended_at = \(instant), outcome = \(outcome.rawValue), error = \(error) WHERE id = \(step)")
        }
    }

    public func record(_ entry: LedgerEntry) async throws {
        let fleet = self.fleet
        try await write { [self] sql in
            if case .intent(_, _, _, _, let run, _) = entry { try await checkFence(sql, run: run) }
            try await Self.apply(entry, fleet: fleet, sql: sql)
        }
    }

    public func finishRun(_ runID: Int64, outcome: RunOutcome, summary: String?, error: String?) async throws {
        let fleet = self.fleet
        try await write { sql in
            try await sql.run(
                """
                UPDATE runs SET ended_at = \(Date()), outcome = \(outcome.rawValue), summary = \(summary), error = \(error)
                WHERE id = \(runID)
                """)
            try await sql.run("DELETE FROM run_locks WHERE fleet = \(fleet) AND run_id = \(runID)")
        }
    }

    public func note(runID: Int64, kind: String, detail: String, at instant: Date) async throws {
        try await write { sql in
            try await sql.run(
                """
                INSERT INTO steps (run_id, kind, detail, started_at, ended_at, outcome)
                VALUES (\(runID), \(kind), \(detail), \(instant), \(instant), \(StepOutcome.ok.rawValue))
                """)
        }
    }

    public func history(limit: Int) async throws -> [RunHistory] {
        let fleet = self.fleet
        return try await history(limit: limit) { "SELECT \(unescaped: Self.runColumns) FROM runs WHERE fleet = \(fleet) ORDER BY id DESC LIMIT \($0)" }
    }

    public func scaleUps(limit: Int) async throws -> [RunHistory] {
        let fleet = self.fleet
        return try await history(limit: limit) {
            """
            SELECT \(unescaped: Self.runColumns) FROM runs
            WHERE fleet = \(fleet) AND outcome = \(RunOutcome.ok.rawValue) AND command <> 'down'
              AND EXISTS (SELECT 1 FROM steps WHERE steps.run_id = runs.id AND steps.kind = 'create')
            ORDER BY id DESC LIMIT \($0)
            """
        }
    }

    public func replacements(since instant: Date) async throws -> [String: Int] {
        let fleet = self.fleet
        return try await read { sql in
            let rows = try await sql.rows(
                """
                SELECT steps.role, count(*) FROM steps JOIN runs ON runs.id = steps.run_id
                WHERE runs.fleet = \(fleet) AND steps.kind = 'replace' AND steps.target IS NULL AND steps.role IS NOT NULL
                  AND steps.started_at >= \(instant)
                GROUP BY steps.role
                """)
            return Dictionary(uniqueKeysWithValues: try rows.map { row in
                let (role, rounds) = try row.decode((String, Int64).self)
                return (role, Int(rounds))
            })
        }
    }

    private func history(limit: Int, runs query: @escaping @Sendable (Int) -> PostgresQuery) async throws -> [RunHistory] {
        try await read { sql in
            var result: [RunHistory] = []
            for run in try await sql.rows(query(limit)).map(Self.run) {
                let steps = try await sql.rows("SELECT \(unescaped: Self.stepColumns) FROM steps WHERE run_id = \(run.id) ORDER BY id")
                result.append((run, try steps.map(Self.step)))
            }
            return result
        }
    }

    static func markInterrupted(runID: Int64, at instant: Date, sql: SQL) async throws {
        try await sql.run(
            """
            UPDATE runs SET outcome = \(RunOutcome.interrupted.rawValue), ended_at = \(instant),
              error = 'the process died before the run finished; the next run took over'
            WHERE id = \(runID) AND outcome = \(RunOutcome.running.rawValue)
            """)
        // A step's times are on the run's clock (an `--at` rehearsal shifts it): leave when it ended open.
        try await sql.run(
            """
            UPDATE steps SET outcome = \(StepOutcome.interrupted.rawValue)
            WHERE run_id = \(runID) AND outcome = \(StepOutcome.running.rawValue)
            """)
    }
}
