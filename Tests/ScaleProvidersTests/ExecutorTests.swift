import Foundation
import Logging
import ScaleCore
import ScaleSim
import ScaleStore
import Testing

struct ExecutorTests {
    @Test func upCreatesAttachesAndWaitsForHealth() async throws {
        let harness = try Harness()
        let (_, report, calls, progress) = try await harness.run(.up)
        #expect(report.succeeded, "\(report.failures)")
        let nodes = try await harness.nodes()
        #expect(nodes.count == 5)
        #expect(nodes.allSatisfy { $0.state == .running })
        #expect(Set(nodes.map(\.name)) == ["m-frontal-1-1", "m-frontal-1-2", "m-frontal-1-3", "m-celery-1-1", "m-celery-1-2"])
        #expect(nodes.allSatisfy { $0.labels[OwnershipLabel.fleet] == "m" && $0.labels[OwnershipLabel.event] == "1" })
        #expect(report.roles.first { $0.role == "frontal" }?.healthy == 3)
        #expect(await calls.counts["attach"] == 1, "one attach call per role")
        #expect(await calls.counts["create"] == 5)
        #expect(progress.updates.withLock { $0 }.contains(.counted(role: "frontal", what: "running", done: 3, total: 3)))
        #expect(try await harness.store.openLedger().filter { $0.state == .created }.count == 5)
    }

    @Test func pollingListsTheFleetOnceForAllWaitingRoles() async throws {
        var harness = try Harness(frontal: 20, celery: 20)
        harness.sim.bootTime = .milliseconds(500)
        harness.sim.bootSpread = .zero
        let (_, report, calls, _) = try await harness.run(.up)
        #expect(report.succeeded, "\(report.failures)")
        // 40 nodes booting for 0.5 s, listed every 50 ms: about ten listings, not one per node or per role.
        let lists = await calls.counts["list"] ?? 0
        #expect(lists <= 20, "listed \(lists) times")
        #expect(lists >= 2)
    }

    @Test func aPartialCreateFailureKeepsWhatWasMadeAndARerunCreatesOnlyTheRest() async throws {
        var harness = try Harness()
        // Not a sold-out answer (issue 18 makes that a shortage of room): a create the provider refuses.
        harness.sim.faults.createErrors = ["m-frontal-1-2": "invalid_input"]
        let first = try await harness.run(.up)
        let failure = try #require(first.report.failures.first)
        #expect(failure.role == "frontal")
        #expect(failure.step == "create")
        #expect(failure.summary == "1 of 3 frontal nodes could not be created")
        #expect(failure.details.first?.contains("m-frontal-1-2: invalid_input") == true)
        #expect(failure.providerError?.code == "invalid_input")
        #expect(failure.action.contains("2 servers of these names exist"))
        #expect(Set(try await harness.nodes().map(\.name)).count == 4, "celery went on; two front-ends exist")
        let failedSteps = try await harness.store.history(limit: 1)[0].steps.filter { $0.outcome == .failed }
        #expect(failedSteps.contains { $0.target == "m-frontal-1-2" && $0.kind == "create" })

        harness.sim.faults.createErrors = [:]
        let second = try await harness.run(.up)
        #expect(second.report.succeeded, "\(second.report.failures)")
        #expect(second.report.created == ["m-frontal-1-2"])
        #expect(try await harness.nodes().count == 5)
    }

    @Test func aNodeThatNeverBootsFailsTheGateNamingIt() async throws {
        var harness = try Harness(frontal: 2, celery: 0)
        harness.sim.faults.neverRunning = ["m-frontal-1-2"]
        harness.execution.bootTimeout = .milliseconds(600)
        let (_, report, _, _) = try await harness.run(.up)
        let failure = try #require(report.failures.first)
        #expect(failure.step == "await-running")
        #expect(failure.summary.contains("1 of 2 frontal nodes not running after 600ms"))
        #expect(failure.nodes.map(\.name) == ["m-frontal-1-2"])
    }

    @Test func aServerOfSomeoneElseWithOurNameIsNeverTouched() async throws {
        let harness = try Harness(frontal: 1, celery: 0)
        let stranger = try harness.cloud(fleet: "other")
        let snapshot = try #require(try await stranger.newestSnapshot(role: "frontal", selector: "role=frontal"))
        let theirs = try await stranger.createNode(NodeSpec(name: "m-frontal-1-1", role: "frontal", serverType: "cx11", snapshot: snapshot, labels: [OwnershipLabel.fleet: "other"]))
        let (_, report, _, _) = try await harness.run(.up)
        let failure = try #require(report.failures.first)
        #expect(failure.providerError?.code == "name_taken_by_stranger")
        #expect(failure.details.first?.contains("without this fleet's label") == true)
        #expect(try await stranger.node(named: "m-frontal-1-1")?.id == theirs.id)
        let down = try await harness.run(.down, force: true)
        #expect(down.plan.mode == .idle, "nothing of ours to tear down")
        #expect(try await stranger.node(named: "m-frontal-1-1") != nil)
    }

    @Test(arguments: [
        (SimRoleSettings(snapshotAge: .seconds(52 * 3600)), "is 2d4h old, more than max_age 1d6h"),
        (SimRoleSettings(noSnapshot: true), "no snapshot of role celery matches the selector \"role=celery\""),
    ])
    func aStaleOrMissingSnapshotStopsTheRole(knobs: SimRoleSettings, message: String) async throws {
        var harness = try Harness(frontal: 1, celery: 1)
        harness.sim.roles["celery"] = knobs
        let (_, report, _, _) = try await harness.run(.up)
        let failure = try #require(report.failures.first)
        #expect(failure.role == "celery")
        #expect(failure.step == "resolve-snapshot")
        #expect(failure.summary.contains(message), "\(failure.summary)")
        #expect(try await harness.nodes().map(\.name) == ["m-frontal-1-1"], "the other role is not held back")
    }

    @Test func downDetachesDeletesAndVerifiesNothingIsLeft() async throws {
        let harness = try Harness()
        _ = try await harness.run(.up)
        let (plan, report, calls, _) = try await harness.run(.down, force: true)
        #expect(plan.mode == .down)
        #expect(report.succeeded, "\(report.failures)")
        #expect(report.verification == nil)
        #expect(Set(report.deleted).count == 5)
        #expect(try await harness.nodes().isEmpty)
        #expect(await calls.counts["detach"] == 1)
        #expect(try await harness.cloud().members(of: "lb", role: "frontal").isEmpty)
        #expect(try await harness.store.openLedger().isEmpty, "the ledger knows every node is gone")
    }
}
