import Foundation
import GRDB
import ScaleTesting
import Testing

/// Kills `up` and `down` at every step in turn (SCALECTL_CRASH_AT), runs them again, and checks that
/// the fleet converged: exactly the configured nodes, none duplicated or orphaned, the load balancer
/// holding exactly the front-ends, the journal consistent, the ledger matching the provider.
@Suite(.awaitsCleanup)
struct CrashSweepTests {
    static let during = LifecycleTests.during

    /// Role-level steps of up, and each per-node create (2 role-level + 5 node creates).
    static let upPoints = ["resolve-snapshot", "await-running", "attach", "await-healthy", "probe"] + (1...7).map { "create:\($0)" }
    /// Role-level steps of down, each per-node delete (2 role-level + 5 node deletes), and the final check.
    static let downPoints = ["detach", "drain", "await-gone", "verify"] + (1...7).map { "delete:\($0)" }

    /// The crash switch with its arming variable, as only tests set it.
    static func armed(_ point: String) -> [String: String] {
        ["SCALECTL_CRASH_AT": point, "SCALECTL_CRASH_ARMED": "yes"]
    }

    @Test(arguments: upPoints)
    func upKilledAtEveryStepConverges(point: String) async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        let crashed = try await fleet.run("up", "--at", Self.during, environment: Self.armed(point))
        #expect(crashed.signal == SIGKILL, "killed at \(point): \(crashed)")
        #expect(crashed.stderr.contains("crash point \(point.split(separator: ":")[0])"))

        let rerun = try await fleet.run("up", "--at", Self.during)
        #expect(rerun.status == 0, "\(rerun)")
        try await CrashAndLockTests.expectExactlyTheConfiguredNodes(fleet)
        try Self.expectConsistent(fleet, members: 3, openNodes: 5)
    }

    @Test(arguments: downPoints)
    func downKilledAtEveryStepConverges(point: String) async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("up", "--at", Self.during).status == 0)
        let crashed = try await fleet.run("down", "--force", "--at", Self.during, environment: Self.armed(point))
        #expect(crashed.signal == SIGKILL, "killed at \(point): \(crashed)")
        #expect(crashed.stderr.contains("crash point \(point.split(separator: ":")[0])"))

        let rerun = try await fleet.run("down", "--force", "--at", Self.during)
        #expect(rerun.status == 0, "\(rerun)")
        #expect(try await fleet.nodes(at: Self.during).values.allSatisfy(\.isEmpty), "nothing owned is left")
        try Self.expectConsistent(fleet, members: 0, openNodes: 0)
    }

    /// A stray `SCALECTL_CRASH_AT` without the arming variable, as in a production environment file:
    /// the real executable runs `up` and `down` to the end and only warns that the variable is ignored.
    @Test func aStrayCrashVariableDoesNotKillARun() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            let up = try await fleet.run("up", "--at", Self.during, environment: ["SCALECTL_CRASH_AT": "create"])
            #expect(up.signal == nil && up.status == 0, "\(up)")
            #expect(up.stderr.contains("SCALECTL_CRASH_AT=create is set but ignored"), "\(up)")
            #expect(!up.stderr.contains("crash point"))
            #expect(try await fleet.nodes(at: Self.during).values.map(\.count).reduce(0, +) == 5)
            let down = try await fleet.run("down", "--force", "--at", Self.during, environment: ["SCALECTL_CRASH_AT": "delete:1"])
            #expect(down.signal == nil && down.status == 0, "\(down)")
            #expect(try await fleet.nodes(at: Self.during).values.allSatisfy(\.isEmpty))
        }
    }

    /// The database after the re-run: no step left running, the killed run interrupted, the balancer's
    /// targets and the ledger matching what exists.
    static func expectConsistent(_ fleet: TestFleet, members: Int, openNodes: Int) throws {
        let (servers, targets, liveTargets) = try DatabaseQueue(path: fleet.simState).read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM simServer WHERE deleteRequestedAt IS NULL ORDER BY name"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM simTarget"),
             try Int.fetchOne(db, sql: """
                SELECT count(*) FROM simTarget t JOIN simServer s ON s.id = t.serverID
                WHERE s.deleteRequestedAt IS NULL AND s.name LIKE 't-frontal-%'
                """))
        }
        #expect(Set(servers).count == servers.count, "no duplicate names: \(servers)")
        #expect(targets == members, "the load balancer holds exactly the front-ends")
        #expect(liveTargets == members, "every target is a live front-end")
        try DatabaseQueue(path: fleet.database).read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM step WHERE outcome = 'running'") == 0, "every step has ended or was marked interrupted")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM run WHERE outcome = 'running'") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM run WHERE outcome = 'interrupted'") == 1, "the killed run is marked interrupted")
            let open = try String.fetchAll(db, sql: "SELECT name FROM ledgerNode WHERE goneAt IS NULL ORDER BY name")
            #expect(open.count == openNodes, "the ledger knows exactly what exists: \(open)")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM ledgerNode WHERE state = 'pending'") == 0)
            if openNodes > 0 { #expect(Set(open) == Set(servers)) }
        }
    }
}
