import Foundation
import GRDB
import ScaleCore
import ScaleTesting
import Testing

/// What cost users money on day one: a recreate loop across cron runs, and one broken balancer blocking
/// every role and the teardown.
@Suite(.awaitsCleanup)
struct DayOneOperationsTests {
    /// Servers ever created for a role, deleted ones included: the node ledger's rows that became servers.
    static func created(_ fleet: TestFleet, role: String) throws -> Int {
        try DatabaseQueue(path: fleet.database).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ledgerNode WHERE role = ? AND createdAt IS NOT NULL", arguments: [role]) ?? 0
        }
    }

    /// Six reconciles five minutes apart in one window, with a readiness check that never passes: the
    /// replacement limit holds across runs (2 workers × (1 + replace_limit 1) servers at most), and the
    /// runs after it check again without creating anything.
    @Test func aProbeThatAlwaysFailsCannotMakeARecreateLoopAcrossRuns() async throws {
        let fleet = try TestFleet(frontal: 1, celery: 2, celeryReady: "tcp = \"{private_ip}:1\", within = \"1s\"")
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        var outputs: [CLIResult] = []
        for minute in stride(from: 30, through: 55, by: 5) {
            let run = try await fleet.run("reconcile", "--at", "2026-11-23T20:\(minute)")
            #expect(run.status == 1, "the gate fails every time: \(run)")
            outputs.append(run)
        }
        let celery = try Self.created(fleet, role: "celery")
        #expect(celery <= 2 * (1 + 1), "made \(celery) worker servers for a role of 2")
        #expect(celery == 4, "the first run used its one replacement round")
        for later in outputs.dropFirst() {
            #expect(!later.stdout.contains("celery: replacing"), "\(later.stdout)")
            #expect(!later.stdout.contains("celery: creating"), "\(later.stdout)")
        }
        // On-call acting (any override) gives the role a fresh budget: one more round, then none.
        #expect(try await fleet.run("override", "set", "celery", "2", "--event", "1", "--reason", "fixed the worker image").status == 0)
        _ = try await fleet.run("reconcile", "--at", "2026-11-23T21:00")
        #expect(try Self.created(fleet, role: "celery") == 6)
        let plan = try await fleet.run("plan", "--at", "2026-11-23T21:05")
        #expect(plan.status == 0, "\(plan)")
    }

    /// Every front-end fails its check while the balancer calls them all healthy: the check or the app is
    /// at fault. Nothing is replaced; the nodes are kept and the alert says why.
    @Test func aSystemicProbeFailureKeepsTheNodesAndReplacesNone() async throws {
        let fleet = try TestFleet(frontal: 2, celery: 1)
        atEnd { await fleet.cleanUp() }
        let text = try String(contentsOfFile: fleet.config, encoding: .utf8)
            .replacingOccurrences(of: "ready = { http = \"http://{private_ip}:{port}/\"", with: "ready = { http = \"http://{private_ip}:{port}/missing\"")
        try text.write(toFile: fleet.config, atomically: true, encoding: .utf8)
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let up = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(up.status == 1)
        #expect(up.stderr.contains("every frontal node fails its readiness check while the load balancer calls all 2 healthy"), "\(up.stderr)")
        #expect(up.stderr.contains("kept the nodes and replaced none"))
        #expect(!up.stdout.contains("frontal: replacing"), "\(up.stdout)")
        #expect(try Self.created(fleet, role: "frontal") == 2)
        let nodes = try await fleet.nodes(at: LifecycleTests.during)
        #expect(nodes["frontal"]?.map(\.state) == ["running", "running"], "the nodes are kept")
    }

    /// The load balancer is deleted after the scale-up: status still answers (health unknown, saying why),
    /// and the teardown deletes every node by its ownership labels.
    @Test func aBalancerGoneAfterTheScaleUpBlocksNeitherStatusNorTeardown() async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("up", "--at", LifecycleTests.during).status == 0)
        var text = try String(contentsOfFile: fleet.config, encoding: .utf8)
        text += "\n[provider.faults]\nmissing_balancers = [\"t-lb\"]\n"
        try text.write(toFile: fleet.config, atomically: true, encoding: .utf8)

        let status = try await fleet.run("status", "--at", "2026-11-23T21:00")
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("health unknown: t-lb cannot be read"), "\(status.stdout)")
        #expect(status.stdout.contains("celery: 2 wanted, 2 present, 2 running"))
        let json = try await fleet.nodes(at: "2026-11-23T21:00")
        #expect(json["frontal"]?.allSatisfy { $0.lb == "unknown" } == true, "\(json)")

        let down = try await fleet.run("down", "--at", LifecycleTests.after)
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.contains("deleted 5 nodes, none left"), "\(down.stdout)")
        #expect(try await fleet.nodes(at: LifecycleTests.after).values.allSatisfy(\.isEmpty))
    }
}
