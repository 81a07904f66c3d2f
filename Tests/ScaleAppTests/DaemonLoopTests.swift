import Foundation
@testable import ScaleApp
import ScaleCore
import ScaleTesting
import Synchronization
import Testing

/// The daemon's wake-ups on virtual time: a loop drives the clock from one sleeper's deadline to the next.
struct DaemonLoopTests {
    static let madrid = TimeZone(identifier: "Europe/Madrid")!

    static func at(_ text: String) -> Date { try! TimeText.parse(text, zone: madrid) }

    static func settings(interval: Duration) -> FleetSettings {
        FleetSettings(fleet: "m", timeZone: madrid, lead: .seconds(2700), margin: .seconds(1800), drain: .zero, roles: [])
    }

    final class Recorder: Sendable {
        let runs = Mutex<[(Date, String)]>([])
        let calendar = Mutex<[Event]>([])
        let statuses = Mutex<[ScaleApp.ExitStatus]>([])
    }

    /// Runs the loop from `start` to `end` and returns when and why it reconciled.
    static func drive(
        events: [Event], from start: String, to end: String, interval: Duration = .seconds(3600),
        statuses: [ScaleApp.ExitStatus] = [], runTakes: Duration = .zero, change: ((Date, Recorder) -> Void)? = nil
    ) async throws -> [(Date, String)] {
        let clock = VirtualClock(at(start))
        let recorder = Recorder()
        recorder.calendar.withLock { $0 = events }
        recorder.statuses.withLock { $0 = statuses }
        let fleet = settings(interval: interval)
        let loop = DaemonLoop(
            clock: clock, interval: interval, watch: .seconds(600),
            schedule: { (Planner.windows(recorder.calendar.withLock { $0 }, settings: fleet, overrides: []), []) },
            fingerprint: { recorder.calendar.withLock { $0.map { "\($0.id)" }.joined(separator: ",") } },
            reconcile: { reason in
                recorder.runs.withLock { $0.append((clock.now(), reason)) }
                clock.advance(to: clock.now() + runTakes)  // no sleeper waits during a run: only time passes
                return recorder.statuses.withLock { $0.isEmpty ? .ok : $0.removeFirst() }
            },
            logger: TestTools.quietLogger)
        let task = Task { try await loop.run() }
        let stop = at(end)
        while true {
            try await clock.waitForSleepers()
            guard let next = clock.nextDeadline, next <= stop else { break }
            change?(next, recorder)
            clock.advance(to: next)
        }
        task.cancel()
        return recorder.runs.withLock { $0 }
    }

    static func event(_ id: Int64, _ day: String) -> Event {
        Event(id: id, name: "Show", start: at("\(day) 21:00"), end: at("\(day) 23:00"), timeZone: "Europe/Madrid")
    }

    @Test func wakesExactlyAtWindowEdgesAcrossTheAutumnChange() async throws {
        // Friday 23 October is summer time (UTC+2), Monday 26 October winter time (UTC+1): the window
        // opens at 20:15 local on both days, which is 18:15Z and then 19:15Z.
        let runs = try await Self.drive(events: [Self.event(1, "2026-10-23"), Self.event(2, "2026-10-26")], from: "2026-10-23T12:00Z", to: "2026-10-27T00:00Z")
        let expected = [
            "2026-10-23T12:00:00Z", "2026-10-23T18:15:00Z", "2026-10-23T19:15:00Z", "2026-10-23T20:15:00Z", "2026-10-23T21:15:00Z",
            "2026-10-23T21:30:00Z", "2026-10-26T19:15:00Z", "2026-10-26T20:15:00Z", "2026-10-26T21:15:00Z", "2026-10-26T22:15:00Z",
            "2026-10-26T22:30:00Z",
        ]
        #expect(runs.map { TimeText.iso($0.0) } == expected)
        #expect(runs.map(\.1).first == "start")
        #expect(runs.map(\.1)[1] == "the window of event #1 opens")
        #expect(runs.map(\.1)[5] == "the window of event #1 closes")
    }

    @Test func wakesExactlyAcrossTheSpringChange() async throws {
        // Saturday 28 March is winter time (UTC+1), Sunday 29 March summer time (UTC+2).
        let runs = try await Self.drive(events: [Self.event(1, "2026-03-28"), Self.event(2, "2026-03-29")], from: "2026-03-28T12:00Z", to: "2026-03-30T00:00Z", interval: .seconds(86_400))
        #expect(runs.map { TimeText.iso($0.0) } == ["2026-03-28T12:00:00Z", "2026-03-28T19:15:00Z", "2026-03-28T22:30:00Z", "2026-03-29T18:15:00Z", "2026-03-29T21:30:00Z"])
    }

    @Test func aWindowThatClosesDuringARunIsActedOnRightAfterIt() async throws {
        // Every run takes 10 minutes and checks come 10 minutes after the last: the check at 22:25Z
        // (inside the window, which closes at 22:30Z) ends at 22:35Z. The teardown starts then, not never.
        let runs = try await Self.drive(
            events: [Self.event(1, "2026-11-23")], from: "2026-11-23T22:05Z", to: "2026-11-24T06:00Z", interval: .seconds(600), runTakes: .seconds(600))
        #expect(runs.map { TimeText.iso($0.0) } == ["2026-11-23T22:05:00Z", "2026-11-23T22:25:00Z", "2026-11-23T22:35:00Z"])
        #expect(runs.last?.1 == "the window of event #1 closes")
    }

    @Test func noticesACalendarChangeWithinTheWatchInterval() async throws {
        let added = Self.event(7, "2026-11-23")
        let runs = try await Self.drive(events: [], from: "2026-11-23T10:00Z", to: "2026-11-23T12:00Z") { next, recorder in
            if next >= Self.at("2026-11-23T10:25Z") { recorder.calendar.withLock { if $0.isEmpty { $0 = [added] } } }
        }
        // Nothing scheduled: it glances every 10 minutes; the event appears between 10:20 and 10:30.
        #expect(runs.map { TimeText.iso($0.0) } == ["2026-11-23T10:00:00Z", "2026-11-23T10:30:00Z"])
        #expect(runs.last?.1 == "the calendar or the overrides changed")
    }

    @Test func retriesSoonWhenAnotherRunHoldsTheLock() async throws {
        let runs = try await Self.drive(events: [], from: "2026-11-23T10:00Z", to: "2026-11-23T11:00Z", statuses: [.locked])
        #expect(runs.map { TimeText.iso($0.0) } == ["2026-11-23T10:00:00Z", "2026-11-23T10:00:30Z"])
    }

    @Test func scheduleListsTransitionsInOrder() {
        let windows = Planner.windows([Self.event(1, "2026-11-23")], settings: Self.settings(interval: .seconds(60)), overrides: [])
        let hold = Override(id: 9, action: .hold(until: Self.at("2026-11-24T01:00")), reason: "r", author: "a", createdAt: Self.at("2026-11-23T12:00"), expiresAt: Self.at("2026-11-24T01:00"))
        let wakes = Schedule.transitions(windows: windows, overrides: [hold], after: Self.at("2026-11-23T12:00"))
        #expect(wakes.map(\.reason) == [.windowOpens(1), .windowCloses(1), .overrideExpires(9)])
        let inside = Schedule.nextWake(now: Self.at("2026-11-23T21:00"), windows: windows, overrides: [], lastRun: Self.at("2026-11-23T20:59"), interval: .seconds(300))
        #expect(inside == Schedule.Wake(at: Self.at("2026-11-23T21:04"), reason: .interval))
    }
}

/// The daemon takes the daily snapshots at `take_at`, local time, on the virtual clock.
struct DaemonSnapshotTests {
    @Test func takesTheSnapshotsAtTakeAtEveryDayAcrossTheAutumnChange() async throws {
        let madrid = DaemonLoopTests.madrid
        let clock = VirtualClock(DaemonLoopTests.at("2026-10-24T12:00Z"))
        let taken = Mutex<[(String, [String])]>([])
        var loop = DaemonLoop(
            clock: clock, interval: .seconds(3600), watch: .seconds(600),
            schedule: { ([], []) }, fingerprint: { "" }, reconcile: { _ in .ok }, logger: TestTools.quietLogger)
        loop.snapshotTimes = ["frontal": 17 * 60, "celery": 17 * 60, "batch": 6 * 60 + 30]
        loop.zone = madrid
        loop.takeSnapshots = { roles in
            taken.withLock { $0.append((TimeText.iso(clock.now()), roles)) }
            return .ok
        }
        let task = Task { try await loop.run() }
        let stop = DaemonLoopTests.at("2026-10-26T00:00Z")
        while true {
            try await clock.waitForSleepers()
            guard let next = clock.nextDeadline, next <= stop else { break }
            clock.advance(to: next)
        }
        task.cancel()
        let runs = taken.withLock { $0 }
        // Saturday 24 October is UTC+2 (17:00 = 15:00Z); Sunday 25 October is UTC+1.
        #expect(runs.map(\.0) == ["2026-10-24T15:00:00Z", "2026-10-25T05:30:00Z", "2026-10-25T16:00:00Z"])
        #expect(runs.map(\.1) == [["celery", "frontal"], ["batch"], ["celery", "frontal"]])
    }
}
