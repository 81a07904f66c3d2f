import Foundation
import GRDB
import ScaleCore

struct LeaseRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "lease"
    // Seconds, not GRDB's millisecond text: a lease that ran out must never read back as a moment later.
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { .timeIntervalSince1970 }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { .timeIntervalSince1970 }
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

extension LeaseRecord {
    init(_ fleet: String, _ lease: Lease) {
        self.init(
            fleet: fleet, host: lease.holder.host, pid: lease.holder.pid, processStart: lease.holder.processStart.map(Int64.init),
            command: lease.command, epoch: lease.epoch, since: lease.since, expires: lease.expires)
    }
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

extension Store {
    /// Lease times are real time, whatever `--at` pretends, like the lock's.
    public func claimLease(_ claimant: ControllerID, command: String, ttl: Duration) async throws -> LeaseClaim {
        let now = Date()
        let claim = try await write { [self] db -> LeaseClaim in
            try ControllerRecord(
                fleet: fleet, host: claimant.host, pid: claimant.pid, processStart: claimant.processStart.map(Int64.init),
                command: command, seen: now
            ).save(db)
            let claim = LeaseClaim.decide(
                current: try LeaseRecord.fetchOne(db, key: fleet)?.lease, claimant: claimant, command: command, ttl: ttl, now: now,
                host: ProcessInfo.processInfo.hostName)
            if case .leading(let lease, _) = claim { try LeaseRecord(fleet, lease).save(db) }
            return claim
        }
        if claim.isLeading { fence.withLock { $0 = claim.lease } }  // a lost claim leaves the old fence: it fails
        return claim
    }

    public func releaseLease(_ holder: ControllerID) async throws {
        let now = Date()
        fence.withLock { $0?.expires = .distantPast }  // armed and failing: a run still going stops at its next intent
        _ = try await write { [self] db in
            try LeaseRecord.filter(key: fleet)
                .filter(Column("host") == holder.host && Column("pid") == holder.pid && Column("expires") > now.timeIntervalSince1970)
                .updateAll(db, Column("expires").set(to: now.timeIntervalSince1970))
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

    /// Inside a write: when this process leads under a lease, refuses to go on unless that lease is still
    /// its own, at the same epoch, and not expired. The intent and this check are one transaction, so a
    /// controller that lost the lead never writes an intent, and never makes the call after it.
    /// - Throws: ``LeaseLost``.
    func checkFence(_ db: Database, run: Int64) throws {
        guard let held = fence.withLock({ $0 }) else { return }
        try held.check(
            against: try LeaseRecord.fetchOne(db, key: fleet)?.lease, fleet: fleet, now: Date(), run: run,
            lockRun: try LockRecord.fetchOne(db, key: fleet)?.runID)
    }

    /// Whether a run lock taken under `epoch` is stale for this process (see ``Lease/supersedes(_:)``).
    func supersedes(_ epoch: Int64?) -> Bool { fence.withLock { $0 }?.supersedes(epoch) ?? false }
}
