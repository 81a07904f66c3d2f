import Foundation
import GRDB
import ScaleCore

struct LockRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "runLock"
    var fleet: String
    var runID: Int64
    var command: String
    var pid: Int32
    var host: String
    var processStart: Int64?
    var since: Date
    var heartbeat: Date
    /// The lease epoch the run was started under (nil: a controller from before leases).
    var epoch: Int64?

    var holder: LockHolder {
        LockHolder(
            runID: runID, command: command, pid: pid, host: host, processStart: processStart.map(UInt64.init),
            since: since, heartbeat: heartbeat)
    }
}

extension Store {
    /// A holder on another host is presumed dead when its heartbeat is older than this.
    public static let remoteLockExpiry = LockHolder.remoteExpiry

    /// Takes the fleet's lock and opens a run, in one transaction.
    ///
    /// A lock held by a process of this host that no longer exists (or by another host whose heartbeat
    /// stopped) is taken over: its run and unfinished steps are marked interrupted. So is a lock taken under
    /// an older lease epoch than the one this process leads under: its leader lost the lease.
    /// - Throws: ``LockHeld`` when a live run holds the lock.
    public func startRun(command: String, at pretended: Date) async throws -> RunStart {
        let pid = getpid()
        let host = ProcessInfo.processInfo.hostName
        let now = Date()
        return try await write { [self] db in
            var takenOver: LockHolder?
            if let lock = try LockRecord.fetchOne(db, key: fleet) {
                guard Store.isStale(lock, host: host, now: now) || supersedes(lock.epoch) else { throw LockHeld(fleet: fleet, holder: lock.holder) }
                takenOver = lock.holder
                try lock.delete(db)
                try markInterrupted(runID: lock.runID, at: now, db: db)
            }
            var run = RunRecord(
                id: nil, fleet: fleet, command: command, at: pretended, startedAt: now, endedAt: nil,
                outcome: RunOutcome.running.rawValue, pid: Int64(pid), host: host, summary: nil, error: nil)
            try run.insert(db)
            guard let runID = run.id else { throw StoreError("the run row got no id") }
            try LockRecord(
                fleet: fleet, runID: runID, command: command, pid: pid, host: host,
                processStart: ChildProcess.startTicks(of: pid).map(Int64.init), since: now, heartbeat: now,
                epoch: fence.withLock { $0?.epoch }
            ).insert(db)
            return RunStart(runID: runID, takenOver: takenOver)
        }
    }

    /// Proves the lock's holder is alive, for holders on other hosts.
    public func refreshLock(runID: Int64) async throws {
        _ = try await write { [self] db in
            try LockRecord.filter(Column("fleet") == fleet && Column("runID") == runID)
                .updateAll(db, Column("heartbeat").set(to: Date()))
        }
    }

    /// The current holder, if any (for `status`).
    public func lockHolder() async throws -> LockHolder? {
        try await database.read { db in try LockRecord.fetchOne(db, key: fleet)?.holder }
    }

    static func isStale(_ lock: LockRecord, host: String, now: Date) -> Bool {
        lock.holder.isStale(seenFrom: host, now: now)
    }
}
