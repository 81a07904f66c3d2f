import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    static let lockColumns = "run_id, command, pid, host, process_start, since, heartbeat, epoch"

    static func holder(_ row: PostgresRow) throws -> LockHolder {
        try lock(row).holder
    }

    /// A lock row: its holder, and the lease epoch it was taken under (nil: from before leases).
    static func lock(_ row: PostgresRow) throws -> (holder: LockHolder, epoch: Int64?) {
        let (runID, command, pid, host, processStart, since, heartbeat, epoch) =
            try row.decode((Int64, String, Int64, String, Int64?, Date, Date, Int64?).self)
        return (LockHolder(
            runID: runID, command: command, pid: Int32(truncatingIfNeeded: pid), host: host, processStart: processStart.map(UInt64.init),
            since: since, heartbeat: heartbeat), epoch)
    }

    /// Takes the fleet's lock and opens a run, in one transaction. Starters of one fleet queue on an
    /// advisory lock of the transaction, then read the lock row `FOR UPDATE`: of two at once, the second
    /// sees the first's lock.
    /// - Throws: ``LockHeld`` when a live run holds the lock.
    public func startRun(command: String, at pretended: Date) async throws -> RunStart {
        let fleet = self.fleet
        let pid = getpid()
        let host = ProcessInfo.processInfo.hostName
        let processStart = ChildProcess.startTicks(of: pid).map(Int64.init)
        let epoch = fence.withLock { $0?.epoch }
        return try await write { [self] sql in
            let now = Date()
            try await sql.run("SELECT pg_advisory_xact_lock(hashtextextended(\("scalectl run lock of " + fleet), 0))")
            var takenOver: LockHolder?
            if let row = try await sql.rows("SELECT \(unescaped: Self.lockColumns) FROM run_locks WHERE fleet = \(fleet) FOR UPDATE").first {
                let (holder, lockEpoch) = try Self.lock(row)
                guard holder.isStale(seenFrom: host, now: now) || supersedes(lockEpoch) else { throw LockHeld(fleet: fleet, holder: holder) }
                takenOver = holder
                try await sql.run("DELETE FROM run_locks WHERE fleet = \(fleet)")
                try await Self.markInterrupted(runID: holder.runID, at: now, sql: sql)
            }
            guard let runID = try await sql.value(
                """
                INSERT INTO runs (fleet, command, at, started_at, outcome, pid, host)
                VALUES (\(fleet), \(command), \(pretended), \(now), \(RunOutcome.running.rawValue), \(Int64(pid)), \(host))
                RETURNING id
                """, as: Int64.self)
            else { throw StoreError("the run row got no id") }
            try await sql.run(
                """
                INSERT INTO run_locks (fleet, run_id, command, pid, host, process_start, since, heartbeat, epoch)
                VALUES (\(fleet), \(runID), \(command), \(Int64(pid)), \(host), \(processStart), \(now), \(now), \(epoch))
                """)
            return RunStart(runID: runID, takenOver: takenOver)
        }
    }

    public func refreshLock(runID: Int64) async throws {
        let fleet = self.fleet
        try await write { sql in
            try await sql.run("UPDATE run_locks SET heartbeat = \(Date()) WHERE fleet = \(fleet) AND run_id = \(runID)")
        }
    }

    public func lockHolder() async throws -> LockHolder? {
        let fleet = self.fleet
        return try await read { sql in
            try await sql.rows("SELECT \(unescaped: Self.lockColumns) FROM run_locks WHERE fleet = \(fleet)").first.map(Self.holder)
        }
    }
}
