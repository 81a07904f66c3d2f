import Foundation
import GRDB
import ScaleCore
@testable import ScaleStore
import ScaleTesting
import Testing

@Suite(.awaitsCleanup)
struct CalendarStoreTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func new(_ name: String, hours: Double = 2, offset: Double = 0) -> NewEvent {
        NewEvent(name: name, start: start + .seconds(offset * 3600), end: start + .seconds((offset + hours) * 3600), timeZone: "Europe/Madrid", counts: ["frontal": 4])
    }

    @Test(arguments: Backend.allCases) func addsListsAndRemoves(_ backend: Backend) async throws {
        let store = try await backend.open()
        let added = try await store.addEvent(new("Gala"))
        #expect(added.counts == ["frontal": 4])
        #expect(try await store.events().map(\.name) == ["Gala"])
        #expect(try await store.removeEvent(id: added.id).name == "Gala")
        #expect(try await store.events().isEmpty)
        await #expect(throws: StoreError.self) { try await store.removeEvent(id: added.id) }
    }

    @Test(arguments: Backend.allCases) func refusesADuplicateAndAnEndBeforeTheStart(_ backend: Backend) async throws {
        let store = try await backend.open()
        _ = try await store.addEvent(new("Gala"))
        await #expect(throws: StoreError.self) { try await store.addEvent(new("Gala")) }
        await #expect(throws: StoreError.self) { try await store.addEvent(new("Backwards", hours: -1)) }
    }

    @Test(arguments: Backend.allCases) func importSkipsWhatIsThereAlready(_ backend: Backend) async throws {
        let store = try await backend.open()
        _ = try await store.addEvent(new("Gala"))
        let (added, skipped) = try await store.importEvents([new("Gala"), new("Final", offset: 24)])
        #expect(added.map(\.name) == ["Final"])
        #expect(skipped.map(\.name) == ["Gala"])
        #expect(try await store.events(endingAfter: start + .seconds(3 * 3600)).map(\.name) == ["Final"])
    }
}

@Suite(.awaitsCleanup)
struct LockTests {
    @Test(arguments: Backend.allCases) func aSecondRunIsRefusedNamingTheHolder(_ backend: Backend) async throws {
        let place = try await backend.place()
        let store = try await place.open("m")
        let first = try await store.startRun(command: "up", at: Date())
        let other = try await place.open("m")
        do {
            _ = try await other.startRun(command: "up", at: Date())
            Issue.record("the second run should not get the lock")
        } catch let held as LockHeld {
            #expect(held.holder.pid == getpid())
            #expect(held.holder.runID == first.runID)
            #expect(held.description.contains("pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"))
        }
        try await store.finishRun(first.runID, outcome: .ok, summary: nil, error: nil)
        #expect(try await other.startRun(command: "down", at: Date()).takenOver == nil, "a finished run releases the lock")
    }

    @Test(arguments: Backend.allCases) func locksAreKeptPerFleet(_ backend: Backend) async throws {
        let place = try await backend.place()
        let a = try await place.open("a")
        let b = try await place.open("b")
        let runA = try await a.startRun(command: "up", at: Date())
        let runB = try #require(try? await b.startRun(command: "up", at: Date()), "fleet b's run is not held up by fleet a's lock")
        #expect(runB.takenOver == nil, "fleet a's lock was not taken over for fleet b")
        #expect(try await a.lockHolder()?.runID == runA.runID)
        #expect(try await b.lockHolder()?.runID == runB.runID)
        await #expect(throws: LockHeld.self, "fleet a is still locked") {
            try await place.open("a").startRun(command: "down", at: Date())
        }
        try await b.finishRun(runB.runID, outcome: .ok, summary: nil, error: nil)
        #expect(try await a.lockHolder()?.runID == runA.runID, "finishing fleet b's run leaves fleet a's lock")
        #expect(try await b.lockHolder() == nil)
    }

    @Test func aLockOfADeadProcessIsTakenOverAndItsRunMarkedInterrupted() async throws {
        let store = try Store(inMemoryFor: "m")
        let dead = try ChildProcess.spawn("exit 0", log: "/dev/null")
        _ = await ChildProcess.wait(dead)
        let old = try await store.startRun(command: "up", at: Date())
        let step = try await store.begin(StepEntry(runID: old.runID, role: "frontal", kind: "create", detail: "create"), at: Date())
        // Pretend the holder was that dead process.
        try await store.database.write { db in
            try db.execute(sql: "UPDATE runLock SET pid = ?, processStart = NULL", arguments: [dead])
        }
        let new = try await store.startRun(command: "up", at: Date())
        #expect(new.takenOver?.runID == old.runID)
        let history = try await store.history(limit: 5)
        let oldRun = try #require(history.first { $0.run.id == old.runID })
        #expect(oldRun.run.outcome == .interrupted)
        #expect(oldRun.steps.first { $0.id == step }?.outcome == .interrupted)
    }

    @Test func aReusedPidIsNotMistakenForTheHolder() async throws {
        let store = try Store(inMemoryFor: "m")
        _ = try await store.startRun(command: "up", at: Date())
        // Our own pid, but a start time that is not ours: the holder was another process with this pid.
        try await store.database.write { db in try db.execute(sql: "UPDATE runLock SET processStart = 1") }
        #expect(try await store.startRun(command: "up", at: Date()).takenOver != nil)
    }
}

@Suite(.awaitsCleanup)
struct LedgerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func node(_ name: String, id: String) -> Node {
        Node(id: id, name: name, state: .running, labels: [OwnershipLabel.fleet: "m", OwnershipLabel.role: "frontal", OwnershipLabel.event: "1"])
    }

    @Test(arguments: Backend.allCases) func followsANodeFromIntentToGone(_ backend: Backend) async throws {
        let store = try await backend.open()
        try await store.record(.intent(name: "a", role: "frontal", event: "1", serverType: "cpx31", runID: 1, at: now))
        #expect(try await store.openLedger().map(\.state) == [.pending])
        try await store.record(.created(name: "a", id: "7", at: now + .seconds(1)))
        try await store.record(.gone(name: "a", at: now + .seconds(3600)))
        let row = try #require(try await store.ledger().first)
        #expect(row.state == .gone)
        #expect(row.providerID == "7")
        #expect(row.goneAt == now + .seconds(3600))
        #expect(try await store.openLedger().isEmpty)
    }

    @Test(arguments: Backend.allCases) func reconcilingAdoptsUnknownNodesAndClosesVanishedOnes(_ backend: Backend) async throws {
        let store = try await backend.open()
        try await store.record(.intent(name: "made", role: "frontal", event: "1", serverType: "cpx31", runID: 1, at: now))
        try await store.record(.intent(name: "lost-before-create", role: "frontal", event: "1", serverType: "cpx31", runID: 1, at: now))
        try await store.record(.intent(name: "vanished", role: "frontal", event: "1", serverType: "cpx31", runID: 1, at: now))
        try await store.record(.created(name: "vanished", id: "3", at: now))
        // "made" exists although its create result was never journaled (a crash); "stranger" is ours but unknown.
        try await store.reconcileLedger(with: [node("made", id: "1"), node("stranger", id: "2")], at: now + .seconds(60))
        let rows = Dictionary(uniqueKeysWithValues: try await store.ledger().map { ($0.name, $0) })
        #expect(rows["made"]?.state == .created)
        #expect(rows["made"]?.providerID == "1")
        #expect(rows["lost-before-create"]?.state == .failed)
        #expect(rows["vanished"]?.state == .gone)
        #expect(rows["stranger"]?.state == .created)
        #expect(Set(try await store.openLedger().map(\.name)) == ["made", "stranger"])
    }
}

struct MigrationTests {
    @Test func migrationsAreNamedAsSentencesAndAllApplied() async throws {
        let store = try Store(inMemoryFor: "m")
        let applied = try await store.database.read { db in try Store.migrator.appliedMigrations(db) }
        #expect(applied == Store.migrator.migrations)
        #expect(applied.first == "Create events")
    }
}

@Suite(.awaitsCleanup)
struct ScaleUpHistoryTests {
    /// Learning the lead needs the scale-ups, not the last runs: idle reconciles every few minutes must
    /// not push yesterday's scale-up out of reach.
    @Test(arguments: Backend.allCases) func scaleUpsAreFoundPastAnyNumberOfIdleRuns(_ backend: Backend) async throws {
        let store = try await backend.open()
        let up = try await store.startRun(command: "up", at: Date())
        _ = try await store.begin(StepEntry(runID: up.runID, role: "frontal", kind: "create", detail: "create"), at: Date())
        try await store.finishRun(up.runID, outcome: .ok, summary: nil, error: nil)
        let failed = try await store.startRun(command: "up", at: Date())
        _ = try await store.begin(StepEntry(runID: failed.runID, role: "frontal", kind: "create", detail: "create"), at: Date())
        try await store.finishRun(failed.runID, outcome: .failed, summary: nil, error: nil)
        for _ in 0..<60 {
            let idle = try await store.startRun(command: "reconcile", at: Date())
            try await store.finishRun(idle.runID, outcome: .idle, summary: nil, error: nil)
        }
        #expect(try await store.history(limit: 50).allSatisfy { $0.run.outcome == .idle })
        let found = try await store.scaleUps(limit: 50)
        #expect(found.map(\.run.id) == [up.runID])
        #expect(found.first?.steps.map(\.kind) == ["create"])
    }
}
