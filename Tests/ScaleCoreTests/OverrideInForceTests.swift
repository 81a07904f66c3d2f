import Foundation
import ScaleCore
import Testing

/// Which overrides are in force: expiry for the timed ones, the event's window for the event-scoped ones.
struct OverrideInForceTests {
    static let show = Fixture.event(1, "2026-11-23 21:00", "2026-11-23 23:00")  // window 20:15 to 23:30
    static func override(_ id: Int64, _ action: Override.Action, expires: String? = nil) -> Override {
        Override(id: id, action: action, reason: "r", author: "a", createdAt: Fixture.at("2026-11-23 12:00"), expiresAt: expires.map(Fixture.at))
    }
    static let overrides = [
        override(1, .skip(eventID: 1)),
        override(2, .setCount(role: "celery", count: 3, eventID: 1)),
        override(3, .setCount(role: "celery", count: 4, eventID: nil)),
        override(4, .hold(until: Fixture.at("2026-11-24 02:00")), expires: "2026-11-24 02:00"),
        override(5, .setCount(role: "frontal", count: 1, eventID: 9)),  // an event no longer in the calendar
    ]

    @Test(arguments: [
        ("2026-11-23 20:00", [1, 2, 3, 4]),  // before the window: the event's overrides already apply
        ("2026-11-23 23:29", [1, 2, 3, 4]),
        ("2026-11-23 23:30", [3, 4]),  // the window is over
        ("2026-11-24 02:00", [3]),  // the hold expired
    ] as [(String, [Int64])])
    func inForce(at: String, expected: [Int64]) {
        let result = Override.inForce(Self.overrides, events: [Self.show], lead: .seconds(2700), margin: .seconds(1800), at: Fixture.at(at))
        #expect(result.map(\.id) == expected)
    }

    @Test func anExtensionKeepsItselfAndTheEventsOverridesInForce() {
        let overrides = Self.overrides + [Self.override(6, .extend(eventID: 1, by: .seconds(3600)))]
        let result = Override.inForce(overrides, events: [Self.show], lead: .seconds(2700), margin: .seconds(1800), at: Fixture.at("2026-11-24 00:15"))
        #expect(result.map(\.id) == [1, 2, 3, 4, 6])
    }

    @Test func aWindowCrossingMidnightShowsItsEndDate() {
        let zone = Fixture.zone
        #expect(TimeText.local(Fixture.at("2026-11-23 23:30"), after: Fixture.at("2026-11-23 20:15"), zone: zone) == "23:30")
        #expect(TimeText.local(Fixture.at("2026-11-24 00:30"), after: Fixture.at("2026-11-23 22:15"), zone: zone) == "2026-11-24 00:30 +01:00")
    }
}
