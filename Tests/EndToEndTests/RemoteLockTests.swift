import Foundation
import GRDB
import ScaleTesting
import Testing

/// A run held by a controller on another host (a shared database): its pid means nothing here, so only
/// its leader lease tells whether it lives. While the lease lasts, it is respected (exit 3); once it ran
/// out, the lease and the run's lock are taken over, whatever the lock's heartbeat, and that run is
/// marked interrupted. A lock with no lease behind it (a controller from before leases) keeps the
/// heartbeat rule: respected for 5 minutes.
@Suite(.serialized)
struct RemoteLockTests {
    static let during = LifecycleTests.during

    /// Writes a running `up` of `other-host` holding fleet t's lock, its last heartbeat `age` seconds ago,
    /// and, when `leaseLeft` is given, the leader lease it runs under, running out that many seconds from now.
    static func plantRemoteLock(_ fleet: TestFleet, heartbeatAge age: TimeInterval, leaseLeft: TimeInterval? = nil) throws -> Int64 {
        try DatabaseQueue(path: fleet.database).write { db in
            let now = Date()
            let since = now.addingTimeInterval(-age - 120)
            try db.execute(
                sql: "INSERT INTO run(fleet, command, at, startedAt, outcome, pid, host) VALUES ('t', 'up', ?, ?, 'running', 4242, 'other-host')",
                arguments: [since, since])
            let runID = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO runLock(fleet, runID, command, pid, host, since, heartbeat, epoch) VALUES ('t', ?, 'up', 4242, 'other-host', ?, ?, ?)",
                arguments: [runID, since, now.addingTimeInterval(-age), leaseLeft == nil ? nil : 7])
            if let leaseLeft {
                try db.execute(
                    sql: "INSERT INTO lease(fleet, host, pid, command, epoch, since, expires) VALUES ('t', 'other-host', 4242, 'up', 7, ?, ?)",
                    arguments: [since.timeIntervalSince1970, now.addingTimeInterval(leaseLeft).timeIntervalSince1970])  // seconds, as the store keeps them
            }
            return runID
        }
    }

    static func outcome(of runID: Int64, _ fleet: TestFleet) throws -> String? {
        try DatabaseQueue(path: fleet.database).read { db in
            try String.fetchOne(db, sql: "SELECT outcome FROM run WHERE id = ?", arguments: [runID])
        }
    }

    @Test func aLiveLeaseFromAnotherHostIsRespected() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            let runID = try Self.plantRemoteLock(fleet, heartbeatAge: 20, leaseLeft: 20)
            let up = try await fleet.run("up", "--at", Self.during)
            #expect(up.status == 3, "\(up)")
            #expect(up.stderr.contains("another controller leads fleet t: `scalectl up` (pid 4242 on other-host, epoch 7, until "), "\(up.stderr)")
            #expect(try await fleet.nodes(at: Self.during).values.allSatisfy(\.isEmpty), "nothing was created")
            #expect(try Self.outcome(of: runID, fleet) == "running")
        }
    }

    @Test func aLeaseThatRanOutIsTakenOverWithItsRunWhateverTheHeartbeat() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            let runID = try Self.plantRemoteLock(fleet, heartbeatAge: 20, leaseLeft: -5)
            let up = try await fleet.run("up", "--at", Self.during)
            #expect(up.status == 0, "\(up)")
            #expect(up.stderr.contains("took the lead of this fleet from `scalectl up` (pid 4242 on other-host, epoch 7"), "\(up.stderr)")
            #expect(up.stderr.contains("took over the lock of `scalectl up` (run #\(runID), pid 4242 on other-host"), "\(up.stderr)")
            #expect(try Self.outcome(of: runID, fleet) == "interrupted")
            #expect(try await fleet.nodes(at: Self.during).values.map(\.count).reduce(0, +) == 5)
        }
    }

    @Test func aLockWithNoLeaseKeepsTheHeartbeatRule() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            let runID = try Self.plantRemoteLock(fleet, heartbeatAge: 120)
            let up = try await fleet.run("up", "--at", Self.during)
            #expect(up.status == 3, "\(up)")
            #expect(up.stderr.contains("another run holds the lock of fleet t: `scalectl up` (run #\(runID), pid 4242 on other-host"), "\(up.stderr)")
            #expect(try Self.outcome(of: runID, fleet) == "running")
        }
    }
}
