import Foundation
import ScaleCore
import ScaleSim
import ScaleStore
import ScaleTesting
import Testing

/// The run coordinator closes every run exactly once, whatever path it takes, and plans what runs do.
struct CoordinatorTests {
    struct Boom: Error {}

    /// The run's row and whether the lock is free, after the coordinator returned or threw.
    func closed(_ harness: Harness) async throws -> (run: RunInfo, lockFree: Bool) {
        let run = try #require(try await harness.store.history(limit: 1).first?.run)
        return (run, try await harness.store.lockHolder() == nil)
    }

    @Test func aSuccessfulRunIsClosedOkAndReleasesTheLock() async throws {
        let harness = try Harness(frontal: 1, celery: 1)
        let (plan, report, _, _) = try await harness.run(.up)
        #expect(plan.mode == .up && report.succeeded)
        let (run, free) = try await closed(harness)
        #expect(run.outcome == .ok && run.endedAt != nil && free)
        #expect(try await harness.store.history(limit: 10).count == 1, "one run, one row")
    }

    @Test func aBodyThatThrowsClosesTheRunAsFailedAndRethrows() async throws {
        let harness = try Harness()
        await #expect(throws: Boom.self) { _ = try await harness.coordinator().withRun(.up) { _ in throw Boom() } }
        let (run, free) = try await closed(harness)
        #expect(run.outcome == .failed && free)
        #expect(run.error?.contains("Boom") == true)
    }

    @Test func aCancelledRunIsClosedAsInterrupted() async throws {
        let harness = try Harness()
        await #expect(throws: CancellationError.self) { _ = try await harness.coordinator().withRun(.down) { _ in throw CancellationError() } }
        let (run, free) = try await closed(harness)
        #expect(run.outcome == .interrupted && free)
    }

    @Test func aSecondRunWhileOneHoldsTheLockIsRefusedAndChangesNothing() async throws {
        let harness = try Harness()
        let coordinator = try harness.coordinator()
        try await confirmation("the inner run is refused") { refused in
            _ = try await coordinator.withRun(.up) { runID in
                await #expect(throws: LockHeld.self) { _ = try await coordinator.run(.up) }
                refused()
                var result = RunResult(outcome: .idle, runID: runID)
                result.summary = "held the lock"
                return result
            }
        }
        #expect(try await harness.store.history(limit: 10).map(\.run.outcome) == [.idle], "the refused run left no row")
        #expect(try await harness.nodes().isEmpty)
    }

    @Test func theHeartbeatKeepsTheLockFreshWhileTheRunGoesOn() async throws {
        let harness = try Harness()
        var coordinator = try harness.coordinator()
        coordinator.heartbeat = .milliseconds(20)
        let store = harness.store
        _ = try await coordinator.withRun(.up) { runID in
            let first = try #require(try await store.lockHolder()).heartbeat
            let deadline = ContinuousClock.now + .seconds(60)
            var beat = first
            while beat == first, ContinuousClock.now < deadline {
                await Task.yield()
                beat = try #require(try await store.lockHolder()).heartbeat
            }
            #expect(beat > first, "the heartbeat moved while the run held the lock")
            return RunResult(outcome: .idle, runID: runID)
        }
        #expect(try await store.lockHolder() == nil)
    }

    @Test func aPlanOverTheCapIsARefusedPlanForPreviewAndRunAlike() async throws {
        var harness = try Harness(frontal: 3, celery: 2)
        harness.fleetCap = 4
        let coordinator = try harness.coordinator()
        _ = try await harness.store.addEvent(NewEvent(name: "Gala", start: harness.clock.now() + .seconds(60), end: harness.clock.now() + .seconds(3600), timeZone: "UTC"))
        let (preview, _) = try await coordinator.preview(.reconcile)
        let refusal = try #require(preview.refusal)
        #expect(refusal.contains("the plan wants 5 nodes in all (#1 \"Gala\"), more than max_nodes 4 for the fleet"), "\(refusal)")
        let result = try await coordinator.run(.reconcile)
        #expect(result.outcome == .refused)
        #expect(result.error == refusal, "the run refuses exactly what the preview showed")
        #expect(try await harness.nodes().isEmpty)
        #expect(try await closed(harness).run.outcome == .refused)
    }
}
