import Foundation
import GRDB
import ScaleTesting
import Testing

/// A run lock held by a controller on another host (a shared database): its pid means nothing here,
/// so only its heartbeat tells whether it lives. Younger than 5 minutes, the lock is respected (exit 3);
/// older, it is taken over and that run is marked interrupted.
@Suite(.serialized)
struct RemoteLockTests {
    static let during = LifecycleTests.during

    /// Writes a running `up` of `other-host` holding fleet t's lock, its last heartbeat `age` seconds ago.
    static func plantRemoteLock(_ fleet: TestFleet, heartbeatAge age: TimeInterval) throws -> Int64 {
        try DatabaseQueue(path: fleet.database).write { db in
            let now = Date()
            let since = now.addingTimeInterval(-age - 120)
            try db.execute(
                sql: "INSERT INTO run(fleet, command, at, startedAt, outcome, pid, host) VALUES ('t', 'up', ?, ?, 'running', 4242, 'other-host')",
                arguments: [since, since])
            let runID = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO runLock(fleet, runID, command, pid, host, since, heartbeat) VALUES ('t', ?, 'up', 4242, 'other-host', ?, ?)",
                arguments: [runID, since, now.addingTimeInterval(-age)])
            return runID
        }
    }

    static func outcome(of runID: Int64, _ fleet: TestFleet) throws -> String? {
        try DatabaseQueue(path: fleet.database).read { db in
            try String.fetchOne(db, sql: "SELECT outcome FROM run WHERE id = ?", arguments: [runID])
        }
    }

    @Test func aLiveHeartbeatFromAnotherHostIsRespected() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            let runID = try Self.plantRemoteLock(fleet, heartbeatAge: 120)
            let up = try await fleet.run("up", "--at", Self.during)
            #expect(up.status == 3, "\(up)")
            #expect(up.stderr.contains("another run holds the lock of fleet t: `scalectl up` (run #\(runID), pid 4242 on other-host"), "\(up.stderr)")
            #expect(try await fleet.nodes(at: Self.during).values.allSatisfy(\.isEmpty), "nothing was created")
            #expect(try Self.outcome(of: runID, fleet) == "running")
        }
    }

    @Test func aStaleHeartbeatFromAnotherHostIsTakenOver() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            let runID = try Self.plantRemoteLock(fleet, heartbeatAge: 420)
            let up = try await fleet.run("up", "--at", Self.during)
            #expect(up.status == 0, "\(up)")
            #expect(up.stderr.contains("took over the lock of `scalectl up` (run #\(runID), pid 4242 on other-host"), "\(up.stderr)")
            #expect(try Self.outcome(of: runID, fleet) == "interrupted")
            #expect(try await fleet.nodes(at: Self.during).values.map(\.count).reduce(0, +) == 5)
        }
    }
}
