import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    static let leaseColumns = "host, pid, process_start, command, epoch, since, expires"

    static func lease(_ row: PostgresRow) throws -> Lease {
        let (host, pid, processStart, command, epoch, since, expires) =
            try row.decode((String, Int64, Int64?, String, Int64, Date, Date).self)
        return Lease(
            holder: ControllerID(host: host, pid: Int32(truncatingIfNeeded: pid), processStart: processStart.map(UInt64.init)),
            command: command, epoch: epoch, since: since, expires: expires)
    }

    /// The lease row, locked for the rest of the transaction.
    static func currentLease(fleet: String, sql: SQL) async throws -> Lease? {
        try await sql.rows("SELECT \(unescaped: leaseColumns) FROM leases WHERE fleet = \(fleet) FOR UPDATE").first.map(lease)
    }

    /// The database's clock, not the host's: every controller judges expiry by the same clock.
    static func now(_ sql: SQL) async throws -> Date {
        try await sql.value("SELECT clock_timestamp()", as: Date.self) ?? Date()
    }

    public func claimLease(_ claimant: ControllerID, command: String, ttl: Duration) async throws -> LeaseClaim {
        let fleet = self.fleet
        let host = ProcessInfo.processInfo.hostName
        let processStart = claimant.processStart.map(Int64.init)
        let claim = try await write { sql -> LeaseClaim in
            // Claimants of one fleet queue here, so the first row is written before the next one reads.
            try await sql.run("SELECT pg_advisory_xact_lock(hashtextextended(\("scalectl lease of " + fleet), 0))")
            let now = try await Self.now(sql)
            try await sql.run(
                """
                INSERT INTO controllers (fleet, host, pid, process_start, command, seen)
                VALUES (\(fleet), \(claimant.host), \(Int64(claimant.pid)), \(processStart), \(command), \(now))
                ON CONFLICT (fleet, host, pid) DO UPDATE SET process_start = EXCLUDED.process_start, command = EXCLUDED.command, seen = EXCLUDED.seen
                """)
            let claim = LeaseClaim.decide(
                current: try await Self.currentLease(fleet: fleet, sql: sql), claimant: claimant, command: command, ttl: ttl, now: now, host: host)
            if case .leading(let lease, _) = claim {
                try await sql.run(
                    """
                    INSERT INTO leases (fleet, host, pid, process_start, command, epoch, since, expires)
                    VALUES (\(fleet), \(lease.holder.host), \(Int64(lease.holder.pid)), \(processStart), \(lease.command), \(lease.epoch), \(lease.since), \(lease.expires))
                    ON CONFLICT (fleet) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, process_start = EXCLUDED.process_start,
                      command = EXCLUDED.command, epoch = EXCLUDED.epoch, since = EXCLUDED.since, expires = EXCLUDED.expires
                    """)
            }
            return claim
        }
        if claim.isLeading { fence.withLock { $0 = claim.lease } }  // a lost claim leaves the old fence: it fails
        return claim
    }

    public func releaseLease(_ holder: ControllerID) async throws {
        let fleet = self.fleet
        fence.withLock { $0?.expires = .distantPast }  // armed and failing: a run still going stops at its next intent
        try await write { sql in
            try await sql.run(
                """
                UPDATE leases SET expires = clock_timestamp()
                WHERE fleet = \(fleet) AND host = \(holder.host) AND pid = \(Int64(holder.pid)) AND expires > clock_timestamp()
                """)
            try await sql.run("DELETE FROM controllers WHERE fleet = \(fleet) AND host = \(holder.host) AND pid = \(Int64(holder.pid))")
        }
    }

    public func leadership(seenSince: Date) async throws -> (lease: Lease?, controllers: [ControllerSeen]) {
        let fleet = self.fleet
        return try await read { sql in
            let lease = try await sql.rows("SELECT \(unescaped: Self.leaseColumns) FROM leases WHERE fleet = \(fleet)").first.map(Self.lease)
            let seen = try await sql.rows(
                "SELECT host, pid, process_start, command, seen FROM controllers WHERE fleet = \(fleet) AND seen >= \(seenSince) ORDER BY seen DESC")
            return (lease, try seen.map { row in
                let (host, pid, processStart, command, seen) = try row.decode((String, Int64, Int64?, String, Date).self)
                return ControllerSeen(
                    controller: ControllerID(host: host, pid: Int32(truncatingIfNeeded: pid), processStart: processStart.map(UInt64.init)),
                    command: command, seen: seen)
            })
        }
    }

    /// Fencing, inside the transaction that writes an intent (see ``Lease/check(against:fleet:now:)``).
    func checkFence(_ sql: SQL, run: Int64) async throws {
        guard let held = fence.withLock({ $0 }) else { return }
        let current = try await sql.rows("SELECT \(unescaped: Self.leaseColumns) FROM leases WHERE fleet = \(fleet) FOR SHARE").first.map(Self.lease)
        let lockRun = try await sql.value("SELECT run_id FROM run_locks WHERE fleet = \(fleet) FOR SHARE", as: Int64.self)
        try held.check(against: current, fleet: fleet, now: try await Self.now(sql), run: run, lockRun: lockRun)
    }

    /// Whether a run lock taken under `epoch` is stale for this process (see ``Lease/supersedes(_:)``).
    func supersedes(_ epoch: Int64?) -> Bool { fence.withLock { $0 }?.supersedes(epoch) ?? false }
}
