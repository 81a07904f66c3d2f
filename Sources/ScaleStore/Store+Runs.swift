import Foundation
import GRDB
import ScaleCore

struct RunRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "run"
    static let steps = hasMany(StepRecord.self)
    var id: Int64?
    var fleet: String
    var command: String
    var at: Date
    var startedAt: Date
    var endedAt: Date?
    var outcome: String
    var pid: Int64
    var host: String
    var summary: String?
    var error: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var info: RunInfo {
        RunInfo(
            id: id ?? 0, command: command, at: at, startedAt: startedAt, endedAt: endedAt,
            outcome: RunOutcome(rawValue: outcome) ?? .running, pid: pid, host: host, summary: summary, error: error)
    }
}

struct StepRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "step"
    var id: Int64?
    var runId: Int64
    var role: String?
    var kind: String
    var target: String?
    var detail: String
    var startedAt: Date
    var endedAt: Date?
    var outcome: String
    var error: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var info: StepInfo {
        StepInfo(
            id: id ?? 0, role: role, kind: kind, target: target, detail: detail, startedAt: startedAt, endedAt: endedAt,
            outcome: StepOutcome(rawValue: outcome) ?? .running, error: error)
    }
}

extension Store {
    /// Writes a step as it starts: for a mutation, its intent. Fenced: see ``checkFence(_:)``.
    public func begin(_ step: StepEntry, at instant: Date) async throws -> Int64 {
        try await write { [self] db in
            try checkFence(db, run: step.runID)
            var record = StepRecord(
                id: nil, runId: step.runID, role: step.role, kind: step.kind, target: step.target, detail: step.detail,
                startedAt: instant, endedAt: nil, outcome: StepOutcome.running.rawValue, error: nil)
            try record.insert(db)
            return record.id ?? 0
        }
    }

    public func end(_ step: Int64, outcome: StepOutcome, error: String?, at instant: Date) async throws {
        _ = try await write { [self] db in
            try StepRecord.filter(key: step).updateAll(
                db, Column("endedAt").set(to: instant), Column("outcome").set(to: outcome.rawValue),
                Column("error").set(to: error))
        }
    }

    public func record(_ entry: LedgerEntry) async throws {
        try await write { [self] db in
            if case .intent(_, _, _, _, let run, _) = entry { try checkFence(db, run: run) }
            try self.apply(entry, db: db)
        }
    }

    /// Closes a run and releases the fleet's lock. Runs start and end in real time, whatever `--at` pretends.
    public func finishRun(_ runID: Int64, outcome: RunOutcome, summary: String?, error: String?) async throws {
        try await write { [self] db in
            try RunRecord.filter(key: runID).updateAll(
                db, Column("endedAt").set(to: Date()), Column("outcome").set(to: outcome.rawValue),
                Column("summary").set(to: summary), Column("error").set(to: error))
            try LockRecord.filter(Column("fleet") == fleet && Column("runID") == runID).deleteAll(db)
        }
    }

    /// Writes one step that is over already (observations, plans), outside the executor.
    public func note(runID: Int64, kind: String, detail: String, at instant: Date) async throws {
        try await write { [self] db in
            var record = StepRecord(
                id: nil, runId: runID, role: nil, kind: kind, target: nil, detail: detail, startedAt: instant,
                endedAt: instant, outcome: StepOutcome.ok.rawValue, error: nil)
            try record.insert(db)
        }
    }

    /// The latest runs, newest first, with their steps in order.
    public func history(limit: Int) async throws -> [RunHistory] {
        try await history(RunRecord.filter(Column("fleet") == fleet), limit: limit)
    }

    /// The latest successful runs that created nodes (scale-ups), newest first, with their steps: what
    /// learning the lead needs, however many idle reconciles ran since.
    public func scaleUps(limit: Int) async throws -> [RunHistory] {
        try await history(
            RunRecord.filter(Column("fleet") == fleet && Column("outcome") == RunOutcome.ok.rawValue && Column("command") != "down")
                .filter(sql: "EXISTS (SELECT 1 FROM step WHERE step.runId = run.id AND step.kind = 'create')"),
            limit: limit)
    }

    public func replacements(since instant: Date) async throws -> [String: Int] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT step.role AS role, count(*) AS rounds FROM step JOIN run ON run.id = step.runId
                WHERE run.fleet = ? AND step.kind = 'replace' AND step.target IS NULL AND step.role IS NOT NULL
                  AND step.startedAt >= ?
                GROUP BY step.role
                """, arguments: [fleet, instant])
            return Dictionary(uniqueKeysWithValues: rows.map { (($0["role"] as String?) ?? "", ($0["rounds"] as Int?) ?? 0) })
        }
    }

    private func history(_ request: QueryInterfaceRequest<RunRecord>, limit: Int) async throws -> [RunHistory] {
        try await database.read { db in
            let runs = try request.order(Column("id").desc).limit(limit).fetchAll(db)
            return try runs.map { run in
                let steps = try StepRecord.filter(Column("runId") == run.id).order(Column("id")).fetchAll(db)
                return (run.info, steps.map(\.info))
            }
        }
    }

    func markInterrupted(runID: Int64, at instant: Date, db: Database) throws {
        try RunRecord.filter(key: runID).filter(Column("outcome") == RunOutcome.running.rawValue).updateAll(
            db, Column("outcome").set(to: RunOutcome.interrupted.rawValue), Column("endedAt").set(to: instant),
            Column("error").set(to: "the process died before the run finished; the next run took over"))
        // A step's times are on the run's clock (an `--at` rehearsal shifts it); when the step ended is not
        // known, and an instant from this clock would make a duration of minus the offset: leave it open.
        try StepRecord.filter(Column("runId") == runID && Column("outcome") == StepOutcome.running.rawValue).updateAll(
            db, Column("outcome").set(to: StepOutcome.interrupted.rawValue))
    }
}
