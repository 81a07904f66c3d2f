import Foundation
import ScaleCore
import Testing

struct WindowTests {
    typealias F = Fixture

    @Test func addsLeadAndMargin() {
        let windows = Window.merged([F.event(1, "2026-11-23 21:00", "2026-11-23 23:00")], lead: .seconds(2700), margin: .seconds(1800))
        #expect(windows.count == 1)
        #expect(windows[0].start == F.at("2026-11-23 20:15"))
        #expect(windows[0].end == F.at("2026-11-23 23:30"))
        #expect(windows[0].covers(F.at("2026-11-23 20:15")))
        #expect(!windows[0].covers(F.at("2026-11-23 23:30")))
    }

    @Test(arguments: [
        // second event start, end -> merged window count
        ("2026-11-23 22:00", "2026-11-24 00:00", 1),  // overlapping events
        ("2026-11-24 00:15", "2026-11-24 01:00", 1),  // windows touch: 23:30 margin end == 00:15 - 45m lead
        ("2026-11-24 00:16", "2026-11-24 01:00", 2),  // one minute apart
    ])
    func mergesOverlappingAndAdjacent(start: String, end: String, count: Int) {
        let events = [F.event(2, start, end), F.event(1, "2026-11-23 21:00", "2026-11-23 23:00")]
        let windows = Window.merged(events, lead: .seconds(2700), margin: .seconds(1800))
        #expect(windows.count == count)
        #expect(windows[0].primary.id == 1, "a merged window is named after its earliest event")
        if count == 1 { #expect(windows[0].end == F.at(end) + .seconds(1800)) }
    }

    @Test func extensionsLengthenTheirEventsWindow() {
        let windows = Window.merged(
            [F.event(1, "2026-11-23 21:00", "2026-11-23 23:00")], lead: .zero, margin: .zero, extensions: [1: .seconds(600)])
        #expect(windows[0].end == F.at("2026-11-23 23:10"))
    }
}
