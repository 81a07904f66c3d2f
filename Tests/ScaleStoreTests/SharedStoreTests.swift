import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// The parts of the store contract the app reaches through ``FeedStore`` and ``AlertLog``, and the
/// calendar import's all-or-nothing, on every backend.
@Suite(.awaitsCleanup)
struct SharedStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func new(_ name: String, hours: Double = 2, offset: Double = 0) -> NewEvent {
        NewEvent(name: name, start: now + offset * 3600, end: now + (offset + hours) * 3600, timeZone: "Europe/Madrid")
    }

    @Test(arguments: Backend.allCases) func anImportWithOneBadEventAddsNothing(_ backend: Backend) async throws {
        let store = try await backend.open()
        await #expect(throws: StoreError.self) {
            try await store.importEvents([new("Gala"), new("Backwards", hours: -1), new("Final", offset: 24)])
        }
        #expect(try await store.events().isEmpty, "all or nothing")
    }

    @Test(arguments: Backend.allCases) func aFeedAddsMovesAndRemovesOnlyWhatItAdded(_ backend: Backend) async throws {
        let store = try #require(try await backend.open() as? any FeedStore & StateStore)
        let byHand = try await store.addEvent(new("By hand", offset: 48))
        var changes = FeedChanges()
        changes.add = [(FeedKey(uid: "a", recurrenceID: 0), new("Gala")), (FeedKey(uid: "b", recurrenceID: 0), new("By hand", offset: 48))]
        let state = FeedState(etag: "\"v1\"", checkedAt: now, syncedAt: now)
        let skipped = try await store.applyFeed(changes, source: "feed", state: state)
        #expect(skipped.map(\.name) == ["By hand"], "an event with the same name and start is skipped")
        let subscribed = try await store.subscribedEvents(source: "feed")
        #expect(subscribed.map(\.key.uid) == ["a"])
        #expect(try await store.feedState(source: "feed") == state)
        #expect(try await store.eventSources() == [subscribed[0].event.id: "feed"])

        var move = FeedChanges()
        move.update = [(subscribed[0].event.id, new("Gala", offset: 1))]
        try await store.applyFeed(move, source: "feed", state: state)
        #expect(try await store.event(id: subscribed[0].event.id)?.start == now + 3600)

        var foreign = FeedChanges()
        foreign.remove = [byHand.id]
        await #expect(throws: StoreError.self, "a feed never removes what it did not add") {
            try await store.applyFeed(foreign, source: "feed", state: state)
        }
        var remove = FeedChanges()
        remove.remove = [subscribed[0].event.id]
        try await store.applyFeed(remove, source: "feed", state: FeedState(etag: "\"v2\""))
        #expect(try await store.events().map(\.name) == ["By hand"])
        #expect(try await store.subscribedEvents(source: "feed").isEmpty)
        #expect(try await store.feedState(source: "feed").etag == "\"v2\"")
    }

    @Test(arguments: Backend.allCases) func theAlertLogKeepsDeliveriesRepeatsAndResolutions(_ backend: Backend) async throws {
        let store = try await backend.open()
        let alert = Alert.calendarFeed(source: "feed", problem: "HTTP 500", held: [], fleet: "m", now: now)
        let id = try await store.beginAlert(alert, channel: "email", runID: nil, mode: nil, at: now)
        try await store.endAlert(id, deliveredAt: now + 2, attempts: 2, error: nil)
        try await store.noteRepeat(id)
        let open = try await store.openFailures()
        #expect(open.map(\.id) == [id])
        #expect(open.first?.alert == alert)
        #expect(open.first?.attempts == 2 && open.first?.repeats == 1 && open.first?.deliveredAt == now + 2)
        try await store.resolve(problemKeys: [alert.problemKey], at: now + 60)
        #expect(try await store.openFailures().isEmpty)
        #expect(try await store.alerts(limit: 5).first?.resolvedAt == now + 60)
    }

    @Test(arguments: Backend.allCases) func overridesAreKeptPerFleetAndCleared(_ backend: Backend) async throws {
        let place = try await backend.place()
        let a = try await place.open("a")
        let b = try await place.open("b")
        let hold = try await a.addOverride(.hold(until: now + 3600), reason: "late show", author: "ops", at: now, expiresAt: now + 3600)
        #expect(try await a.overrides() == [hold])
        #expect(try await b.overrides().isEmpty)
        let before = try await a.calendarFingerprint()
        #expect(try await a.clearOverrides(id: nil, at: now + 60) == 1)
        #expect(try await a.overrides().isEmpty)
        #expect(try await a.calendarFingerprint() != before, "a cleared override changes the fingerprint")
    }
}
