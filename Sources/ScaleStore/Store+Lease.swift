import Foundation
import GRDB
import ScaleCore

struct LeaseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "lease"
    var fleet: String
    var host: String
    var pid: Int32
    var processStart: Int64?
    var command: String
    var epoch: Int64
    var since: Date
    var expires: Date

    var holder: ControllerID { ControllerID(host: host, pid: pid, processStart: processStart.map(UInt64.init)) }
    var lease: Lease { Lease(holder: holder, command: command, epoch: epoch, since: since, expires: expires) }
}

struct ControllerRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "controller"
    var fleet: String
    var host: String
    var pid: Int32
    var processStart: Int64?
    var command: String
    var seen: Date
}

extension Store: LeaseStore {
    /// Lease times are real time, whatever `--at` pretends, like the lock's.
    public func claimLease(_ claimant: ControllerID, command: String, ttl: Duration) async throws -> LeaseClaim {
        let now = Date()
        let claim = try await write { [self] db -> LeaseClaim in
            try ControllerRecord(
                fleet: fleet, host: claimant.host, pid: claimant.pid, processStart: claimant.processStart.map(Int64.init),
                command: command, seen: now
            ).save(db)
            let current = try LeaseRecord.fetchOne(db, key: fleet)
            if let current, current.holder != claimant, current.expires > now, !Store.isGone(current.holder) {
                return .standingBy(leader: current.lease)
            }
            let renewing = current.map { $0.holder == claimant && $0.expires > now } ?? false
            let record = LeaseRecord(
                fleet: fleet, host: claimant.host, pid: claimant.pid, processStart: claimant.processStart.map(Int64.init),
                command: command, epoch: renewing ? current?.epoch ?? 1 : (current?.epoch ?? 0) + 1,
                since: renewing ? current?.since ?? now : now, expires: now + ttl.timeInterval)
            try record.save(db)
            let previous = current.flatMap { $0.holder == claimant || renewing ? nil : $0.lease }
            return .leading(record.lease, tookOverFrom: previous)
        }
        fence.withLock { $0 = claim.isLeading ? claim.lease : nil }
        return claim
    }

    public func releaseLease(_ holder: ControllerID) async throws {
        let now = Date()
        fence.withLock { $0 = nil }
        _ = try await write { [self] db in
            try LeaseRecord.filter(key: fleet)
                .filter(Column("host") == holder.host && Column("pid") == holder.pid && Column("expires") > now)
                .updateAll(db, Column("expires").set(to: now))
            try ControllerRecord.filter(Column("fleet") == fleet && Column("host") == holder.host && Column("pid") == holder.pid).deleteAll(db)
        }
    }

    public func leadership(seenSince: Date) async throws -> (lease: Lease?, controllers: [ControllerSeen]) {
        try await database.read { [fleet] db in
            let lease = try LeaseRecord.fetchOne(db, key: fleet)?.lease
            let seen = try ControllerRecord.filter(Column("fleet") == fleet && Column("seen") >= seenSince)
                .order(Column("seen").desc).fetchAll(db)
            return (lease, seen.map {
                ControllerSeen(controller: ControllerID(host: $0.host, pid: $0.pid, processStart: $0.processStart.map(UInt64.init)), command: $0.command, seen: $0.seen)
            })
        }
    }

    /// A holder on this host whose process is gone (or whose pid was reused) holds nothing: a cron run
    /// after a `kill -9` need not wait for the dead run's lease to run out. Holders elsewhere are judged by
    /// expiry alone.
    static func isGone(_ holder: ControllerID) -> Bool { holder.isGone(seenFrom: ProcessInfo.processInfo.hostName) }

    /// Inside a write: when this process leads under a lease, refuses to go on unless that lease is still
    /// its own, at the same epoch, and not expired. The intent and this check are one transaction, so a
    /// controller that lost the lead never writes an intent, and never makes the call after it.
    /// - Throws: ``LeaseLost``.
    func checkFence(_ db: Database) throws {
        guard let held = fence.withLock({ $0 }) else { return }
        let current = try LeaseRecord.fetchOne(db, key: fleet)
        guard let current, current.holder == held.holder, current.epoch == held.epoch, current.expires > Date() else {
            throw LeaseLost(fleet: fleet, holder: held.holder, epoch: held.epoch, now: current?.lease)
        }
    }

    /// Whether this process leads under a newer lease epoch than `epoch` (a run lock's): then that lock's
    /// leader lost the lease, and its lock is stale.
    func supersedes(_ epoch: Int64?) -> Bool {
        guard let epoch, let mine = fence.withLock({ $0?.epoch }) else { return false }
        return mine > epoch
    }
}
