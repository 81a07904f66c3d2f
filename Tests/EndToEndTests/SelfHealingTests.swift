import Foundation
import GRDB
import Logging
import ScaleCore
import ScaleSim
import ScaleStore
import ScaleTesting
import Testing

/// Inside a window, each reconcile repairs what went wrong since: a node whose service died is
/// replaced, a node someone detached is attached again, a node someone deleted is created again.
@Suite(.awaitsCleanup)
struct SelfHealingTests {
    @Test func reconcileReplacesADeadNodeReattachesADetachedOneAndRecreatesADeletedOne() async throws {
        let fleet = try TestFleet(within: "8s")
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        #expect(try await fleet.run("up", "--at", LifecycleTests.during).status == 0)

        let sim = try SimCloud(fleet: "t", settings: SimSettings(apiLatency: .zero), statePath: fleet.simState, calendar: SystemClock(), logger: TestTools.quietLogger)
        let nodes = try await sim.listNodes()
        let dead = try #require(nodes.first { $0.name == "t-frontal-1-1" })
        let detached = try #require(nodes.first { $0.name == "t-frontal-1-2" })
        let deleted = try #require(nodes.first { $0.name == "t-celery-1-1" })
        // The first front-end's web server dies; the second is taken off the balancer; a worker is deleted.
        let pid = try #require(try await sim.processID(ofServer: dead.id))
        await ChildProcess.terminateGroup(pid)
        try await sim.detach([detached], role: "frontal", from: "t-lb")
        try await sim.deleteNode(deleted)

        let repaired = try await fleet.run("reconcile", "--at", "2026-11-23T21:30")
        #expect(repaired.status == 0, "\(repaired)")
        #expect(repaired.stdout.contains("frontal: replacing t-frontal-1-1"), "\(repaired.stdout)")
        #expect(repaired.stdout.contains("frontal: attaching 1 to t-lb"))
        #expect(repaired.stdout.contains("celery: creating 1 node"))
        let after = try await fleet.nodes(at: "2026-11-23T21:30")
        #expect(after["frontal"]?.allSatisfy { $0.state == "running" && $0.ready && $0.lb == "healthy" } == true, "\(after)")
        #expect(after["celery"]?.map(\.name) == ["t-celery-1-1", "t-celery-1-2"])
        #expect(try await sim.node(named: "t-frontal-1-1")?.id != dead.id, "the dead node was replaced by a new server")
    }
}
