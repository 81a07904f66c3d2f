import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// Readiness against real processes: each simulated worker node runs a real Celery worker named
/// `celery@{name}` on a Redis broker, checked with the documented `celery inspect ping` probe.
@Suite(.serialized, .awaitsCleanup)
struct CeleryReadinessTests {
    /// A fleet whose celery nodes start real workers, with a Redis broker of its own.
    static func celeryFleet(deadBoots: String = "", within: String = "40s") async throws -> (TestFleet, ServerProcess, [String: String]) {
        let redis = try await ServerProcess.start("exec redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no")
        let celery = try TestTools.venv("celery")
        let environment = [
            "CELERY_BROKER_URL": "redis://127.0.0.1:\(redis.port)/0",
            "PYTHONPATH": "\(TestTools.repositoryRoot)/Tests/Fakes",
        ]
        let worker = "exec \(celery) -A celery_app worker -n celery@{name} --pool solo --concurrency 1 --without-mingle --without-gossip -l warning"
        let fleet = try TestFleet(
            frontal: 1, celery: 2, celeryBoot: worker,
            celeryReady: "command = \"\(celery) -A celery_app inspect ping -d celery@{name} -t 2\", within = \"\(within)\"",
            extraProvider: deadBoots.isEmpty ? "" : "[provider.faults]\ndead_boots = { \(deadBoots) }\n",
            extraController: "replace_limit = 0")
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        return (fleet, redis, environment)
    }

    @Test func workersAnswerUnderTheirNodeNames() async throws {
        let (fleet, redis, environment) = try await Self.celeryFleet()
        atEnd { await fleet.cleanUp(); await redis.stop() }
        let up = try await fleet.run("up", "--at", LifecycleTests.during, environment: environment)
        #expect(up.status == 0, "\(up)")
        #expect(up.stdout.contains("celery: checking readiness (command)"))
        #expect(up.stdout.contains("celery: 2/2 ready"))
        let nodes = try await fleet.nodes(at: LifecycleTests.during, environment: environment)
        #expect(nodes["celery"]?.allSatisfy(\.ready) == true, "status pings each worker again")
        let down = try await fleet.run("down", "--force", "--at", LifecycleTests.during, environment: environment)
        #expect(down.status == 0)
        // With the workers stopped, the same probe no longer passes.
        let celery = try TestTools.venv("celery")
        let (status, _) = try await ChildProcess.run("CELERY_BROKER_URL=\(environment["CELERY_BROKER_URL"]!) PYTHONPATH=\(environment["PYTHONPATH"]!) \(celery) -A celery_app inspect ping -d celery@t-celery-1-1 -t 1", timeout: .seconds(30))
        #expect(status != 0, "the deleted node's worker is gone")
    }

    @Test func aWorkerThatNeverJoinsFailsTheReadinessGate() async throws {
        let (fleet, redis, environment) = try await Self.celeryFleet(deadBoots: "\"t-celery-1-2\" = 5", within: "12s")
        atEnd { await fleet.cleanUp(); await redis.stop() }
        let up = try await fleet.run("up", "--at", LifecycleTests.during, environment: environment)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("1 of 2 celery nodes not ready within 12s"), "\(up.stderr)")
        #expect(up.stderr.contains("t-celery-1-2"))
        #expect(up.stderr.contains("inspect ping -d celery@t-celery-1-2"), "the alert shows the probe that failed")
        #expect(up.stderr.contains("No nodes replied"), "and what Celery said")
    }
}
