import Foundation
import Synchronization
import ScaleCore
import ScaleSim
import ScaleStore
import ScaleTesting
import Testing

/// Alerts kept for assertions.
final class AlertRecorder: AlertChannel {
    let name = "recorder"
    let target = "memory"
    let alerts = Mutex<[Alert]>([])
    func deliver(_ alert: Alert) async throws(AlertDeliveryError) { alerts.withLock { $0.append(alert) } }
}

/// `scalectl snapshot` on the sim cloud: take, wait, prune, and what scale-ups then choose.
struct SnapshotTests {
    static let own = [OwnershipLabel.fleet: "m", OwnershipLabel.role: "frontal"]

    /// A harness whose frontal role takes its snapshots from the sim template `frontal-template`.
    func harness(keep: Int = 2, within: Duration = .seconds(60), configure: (inout SimSettings) -> Void = { _ in }) throws -> Harness {
        var harness = try Harness(frontal: 1, celery: 0)
        harness.fleet.roles[0].snapshot = SnapshotRule(
            selector: SnapshotPolicy.ownSelector(fleet: "m", role: "frontal"), maxAge: .seconds(30 * 3600),
            template: SnapshotTemplate(from: "frontal-template", takeAtMinutes: 17 * 60, keep: keep, within: within))
        harness.fleet.roles.removeLast()
        harness.sim.templates = ["frontal-template": ["kind": "template"]]
        harness.sim.snapshotTime = .seconds(5)
        configure(&harness.sim)
        return harness
    }

    func coordinator(_ harness: Harness, recorder: AlertRecorder) throws -> RunCoordinator {
        var coordinator = try harness.coordinator()
        coordinator.alerts = AlertDispatcher(channels: [recorder], log: harness.store, clock: harness.clock, logger: TestTools.quietLogger)
        coordinator.bundle.snapshots = try harness.cloud()
        return coordinator
    }

    @Test func takesALabelledSnapshotWaitsUntilAvailableAndJournalsTheRun() async throws {
        let harness = try harness()
        let result = try await coordinator(harness, recorder: AlertRecorder()).takeSnapshots()
        #expect(result.run.outcome == .ok, "\(result.run.error ?? "")")
        let image = try #require(result.roles.first?.image)
        #expect(image.status == .available)
        #expect(image.labels[OwnershipLabel.fleet] == "m" && image.labels[OwnershipLabel.role] == "frontal")
        #expect(image.labels[SnapshotLabel.date] == SnapshotPolicy.day(harness.clock.now(), zone: harness.fleet.timeZone))
        let run = try #require(try await harness.store.history(limit: 1).first)
        #expect(run.run.command == "snapshot" && run.run.outcome == .ok)
        #expect(run.steps.map(\.kind) == ["snapshot-template", "snapshot-create", "snapshot-await", "snapshot-prune"])
        #expect(try await harness.store.lockHolder() == nil)
        // The scale-up now builds on it.
        _ = try await harness.run(.up)
        #expect(try await harness.nodes().map(\.imageID) == [image.id])
    }

    @Test func prunesOwnSnapshotsBeyondKeepOldestFirstAndNeverAnUnownedOne() async throws {
        let harness = try harness(keep: 2)
        let cloud = try harness.cloud()
        let now = harness.clock.now()
        var old: [ImageRecord] = []
        for day in 1...3 { old.append(try await cloud.addImage(name: "m-frontal-old-\(day)", labels: Self.own, createdAt: now - .seconds(Double(day) * 86_400))) }
        let foreign = try await cloud.addImage(name: "other-frontal", labels: [OwnershipLabel.fleet: "other", OwnershipLabel.role: "frontal"], createdAt: now - .seconds(9 * 86_400))
        let handMade = try await cloud.addImage(name: "hand-made", labels: ["role": "frontal"], createdAt: now - .seconds(8 * 86_400))
        let result = try await coordinator(harness, recorder: AlertRecorder()).takeSnapshots()
        #expect(result.run.outcome == .ok)
        #expect(result.roles[0].deleted.map(\.id) == [old[2].id, old[1].id], "the two oldest own ones, oldest first")
        let left = Set(try await cloud.allImages().map(\.id))
        #expect(left == [result.roles[0].image!.id, old[0].id, foreign.id, handMade.id])
    }

    @Test func aSnapshotANodeWasCreatedFromIsKeptWhileTheNodeExists() async throws {
        var harness = try harness(keep: 1)
        let cloud = try harness.cloud()
        let old = try await cloud.addImage(name: "m-frontal-old", labels: Self.own, createdAt: harness.clock.now() - .seconds(3600))
        _ = try await harness.run(.up)
        #expect(try await harness.nodes().map(\.imageID) == [old.id])
        let first = try await coordinator(harness, recorder: AlertRecorder()).takeSnapshots()
        #expect(first.roles[0].deleted.isEmpty, "old is beyond keep = 1 but a live node was made from it")
        #expect(try await cloud.allImages().map(\.id).contains(old.id))
        harness.execution.goneTimeout = .seconds(10)
        _ = try await harness.run(.down, force: true)
        try await harness.clock.sleep(for: .seconds(86_400))
        let second = try await coordinator(harness, recorder: AlertRecorder()).takeSnapshots()
        #expect(second.roles[0].deleted.map(\.id).contains(old.id), "its node is gone: it goes")
    }

    @Test func aSnapshotStillCreatingIsNeverChosenAndTimesOutWithAnAlert() async throws {
        let harness = try harness(within: .seconds(60)) { $0.snapshotTime = .seconds(600) }
        let cloud = try harness.cloud()
        let previous = try await cloud.addImage(name: "m-frontal-yesterday", labels: Self.own, createdAt: harness.clock.now() - .seconds(20 * 3600))
        let recorder = AlertRecorder()
        let result = try await coordinator(harness, recorder: recorder).takeSnapshots()
        #expect(result.run.outcome == .failed)
        #expect(result.roles[0].failure?.step == "snapshot-await")
        let creating = try await cloud.ownedImages(role: "frontal").filter { $0.status == .creating }
        #expect(creating.count == 1, "the slow one is left to finish")
        #expect(try await cloud.newestSnapshot(role: "frontal", selector: SnapshotPolicy.ownSelector(fleet: "m", role: "frontal"))?.id == previous.id)
        let alert = try #require(recorder.alerts.withLock { $0.first })
        #expect(alert.role == "frontal" && alert.command == "snapshot")
        #expect(alert.details.first?.contains("template: frontal-template") == true)
        #expect(alert.title.contains("not available within 1m"))
    }

    @Test func aFailedSnapshotAlertsWithTheAnswerAndTheOlderOneIsUsed() async throws {
        let harness = try harness { $0.faults.snapshotFailures = 1 }
        let cloud = try harness.cloud()
        let previous = try await cloud.addImage(name: "m-frontal-yesterday", labels: Self.own, createdAt: harness.clock.now() - .seconds(20 * 3600))
        let start = harness.clock.now() + .seconds(3 * 3600)
        _ = try await harness.store.addEvent(NewEvent(name: "Gala", start: start, end: start + .seconds(7200), timeZone: "Europe/Madrid"))
        let recorder = AlertRecorder()
        let result = try await coordinator(harness, recorder: recorder).takeSnapshots()
        #expect(result.run.outcome == .failed)
        let alert = try #require(recorder.alerts.withLock { $0.first })
        #expect(alert.title.contains("failed") && alert.role == "frontal")
        #expect(alert.details.contains { $0.contains("the provider says: error") })
        #expect(alert.details.first?.contains("2h15m before the window of Gala opens") == true, "lead 45m before the event in 3h: \(alert.details)")
        #expect(alert.event?.name == "Gala")
        try await harness.clock.sleep(for: .seconds(9000))  // into the window
        _ = try await harness.run(.up)
        #expect(try await harness.nodes().map(\.imageID) == [previous.id])
    }

    @Test func aTemplateThatMatchesNoServerOrSeveralFailsNamingIt() async throws {
        var harness = try harness()
        harness.fleet.roles[0].snapshot.template?.from = "kind=template"
        harness.sim.templates["another-template"] = ["kind": "template"]
        let result = try await coordinator(harness, recorder: AlertRecorder()).takeSnapshots()
        let failure = try #require(result.roles[0].failure)
        #expect(failure.step == "snapshot-template")
        #expect(failure.summary.contains("matches 2 servers (another-template, frontal-template)"))
        #expect(try await harness.cloud().allImages().isEmpty)
    }
}
