import Foundation
import ScaleCore
@testable import ScaleStore
import ScaleTesting
import Testing

/// The leader lease between two controllers sharing one database, each with its own connection (as two
/// processes have), on SQLite and PostgreSQL: one leads, the other stands by, a takeover raises the
/// epoch, and the fence stops the old leader's next intent.
@Suite(.awaitsCleanup)
struct LeaseTests {
    let a = ControllerID(host: "ops-1", pid: 101, processStart: 1)
    let b = ControllerID(host: "ops-2", pid: 202, processStart: 2)

    func two(_ backend: Backend) async throws -> (any StateStore, any StateStore) {
        let place = try await backend.place()
        return (try await place.open(), try await place.open())
    }

    @Test(arguments: Backend.allCases)
    func oneLeadsTheOtherStandsByAndRenewingKeepsTheEpoch(_ backend: Backend) async throws {
        let (first, second) = try await two(backend)
        let claim = try await first.claimLease(a, command: "daemon", ttl: .seconds(30))
        #expect(claim.isLeading && claim.lease.epoch == 1)
        let other = try await second.claimLease(b, command: "daemon", ttl: .seconds(30))
        #expect(!other.isLeading && other.lease.holder == a && other.lease.epoch == 1)
        let renewed = try await first.claimLease(a, command: "daemon", ttl: .seconds(30))
        #expect(renewed.isLeading && renewed.lease.epoch == 1)
        #expect(abs(renewed.lease.since.timeIntervalSince(claim.lease.since)) < 0.01, "a renewal keeps when the lead was taken")
        #expect(renewed.lease.expires >= claim.lease.expires)

        let (lease, controllers) = try await first.leadership(seenSince: Date() - 60)
        #expect(lease?.holder == a)
        #expect(Set(controllers.map(\.controller)) == [a, b])

        // The leader's intents pass the fence.
        let run = try await first.startRun(command: "up", at: Date())
        _ = try await first.begin(StepEntry(runID: run.runID, role: "frontal", kind: "create", target: "m-frontal-1", detail: "create m-frontal-1"), at: Date())
    }

    @Test(arguments: Backend.allCases)
    func anExpiredLeaseIsTakenOverWithAHigherEpochAndTheOldLeadersIntentIsRefused(_ backend: Backend) async throws {
        let (first, second) = try await two(backend)
        // A lease of no length has run out as soon as it is written: the leader that stopped renewing.
        let old = try await first.claimLease(a, command: "daemon", ttl: .zero)
        let run = try await first.startRun(command: "reconcile", at: Date())
        let taken = try await second.claimLease(b, command: "daemon", ttl: .seconds(30))
        guard case .leading(let lease, let previous) = taken else { Issue.record("the standby did not take over: \(taken)"); return }
        #expect(lease.holder == b && previous?.holder == a && previous?.epoch == old.lease.epoch)
        #expect(taken.lease.epoch == old.lease.epoch + 1)

        // The old leader's next intent is refused in the transaction that would write it.
        await #expect(throws: LeaseLost.self) {
            _ = try await first.begin(StepEntry(runID: run.runID, role: "frontal", kind: "create", target: "m-frontal-2", detail: "create m-frontal-2"), at: Date())
        }
        await #expect(throws: LeaseLost.self) {
            try await first.record(.intent(name: "m-frontal-2", role: "frontal", event: nil, serverType: "cpx31", runID: run.runID, at: Date()))
        }
        #expect(try await first.ledger().map(\.name).contains("m-frontal-2") == false)

        // The new leader takes the old leader's run lock (the lease, not the lock, says who may run).
        let resumed = try await second.startRun(command: "reconcile", at: Date())
        #expect(resumed.takenOver?.runID == run.runID)
        #expect(try await second.history(limit: 2).last?.run.outcome == .interrupted)

        // Back, the old leader stands by.
        let back = try await first.claimLease(a, command: "daemon", ttl: .seconds(30))
        #expect(!back.isLeading && back.lease.holder == b && back.lease.epoch == taken.lease.epoch)
    }

    @Test(arguments: Backend.allCases)
    func aReleasedLeaseIsFreeAtOnceAndTheEpochOnlyGrows(_ backend: Backend) async throws {
        let (first, second) = try await two(backend)
        let held = try await first.claimLease(a, command: "up", ttl: .seconds(30))
        try await first.releaseLease(a)
        let next = try await second.claimLease(b, command: "daemon", ttl: .seconds(30))
        #expect(next.isLeading && next.lease.epoch == held.lease.epoch + 1)
        // Releasing what one does not hold changes nothing.
        try await first.releaseLease(a)
        #expect(try await second.leadership(seenSince: .distantPast).lease?.holder == b)
    }

    @Test(arguments: Backend.allCases)
    func aRunWhoseLockANewerLeaderTookStopsEvenIfItsControllerLeadsAgain(_ backend: Backend) async throws {
        let (first, second) = try await two(backend)
        _ = try await first.claimLease(a, command: "daemon", ttl: .zero)  // ran out at once: a renewal that stalled
        let stalled = try await first.startRun(command: "reconcile", at: Date())
        // The other controller leads (epoch 2), takes the stalled run's lock, acts, and gives the lease up.
        #expect(try await second.claimLease(b, command: "up", ttl: .seconds(30)).isLeading)
        let other = try await second.startRun(command: "up", at: Date())
        #expect(other.takenOver?.runID == stalled.runID)
        try await second.finishRun(other.runID, outcome: .ok, summary: nil, error: nil)
        try await second.releaseLease(b)
        // The first controller leads again (epoch 3), but its old run must not go on.
        let again = try await first.claimLease(a, command: "daemon", ttl: .seconds(30))
        #expect(again.isLeading && again.lease.epoch == 3)
        await #expect(throws: LeaseLost.self) {
            _ = try await first.begin(StepEntry(runID: stalled.runID, role: "frontal", kind: "create", target: "m-frontal-3", detail: "create m-frontal-3"), at: Date())
        }
    }

    @Test(arguments: Backend.allCases)
    func afterGivingTheLeaseUpARunStillGoingStopsAtItsNextIntent(_ backend: Backend) async throws {
        let (first, _) = try await two(backend)
        _ = try await first.claimLease(a, command: "daemon", ttl: .seconds(30))
        let run = try await first.startRun(command: "reconcile", at: Date())
        try await first.releaseLease(a)
        await #expect(throws: LeaseLost.self) {
            _ = try await first.begin(StepEntry(runID: run.runID, role: "frontal", kind: "delete", target: "m-frontal-1", detail: "delete m-frontal-1"), at: Date())
        }
    }
}
