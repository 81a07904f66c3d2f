import Foundation
import ScaleCore
import Testing

struct TimeTextTests {
    let madrid = TimeZone(identifier: "Europe/Madrid")!

    @Test(arguments: [
        ("2026-11-23T20:00:00Z", "2026-11-23T20:00:00Z"),
        ("2026-11-23T20:00Z", "2026-11-23T20:00:00Z"),
        ("2026-11-23T21:00+01:00", "2026-11-23T20:00:00Z"),
        ("2026-11-23T15:00-0500", "2026-11-23T20:00:00Z"),
        ("2026-11-23T21:00", "2026-11-23T20:00:00Z"),  // local, winter: UTC+1
        ("2026-11-23 21:00:00", "2026-11-23T20:00:00Z"),
        ("2026-07-01 21:00", "2026-07-01T19:00:00Z"),  // local, summer: UTC+2
        ("2026-11-23", "2026-11-22T23:00:00Z"),
        ("2026-10-25 02:30", "2026-10-25T00:30:00Z"),  // repeated hour: its first occurrence (summer time)
    ])
    func parses(text: String, utc: String) throws {
        #expect(TimeText.iso(try TimeText.parse(text, zone: madrid)) == utc)
    }

    @Test(arguments: [
        ("tomorrow", "is not a time"),
        ("2026-13-01 10:00", "not a valid date"),
        ("2026-02-30 10:00", "no day 30"),
        ("2026-11-23 25:00", "not a valid date"),
        ("2026-11-23T21:00+25:00", "is not a time"),
        ("2026-11-23T21:00 garbage", "is not a time"),
        ("2026-03-29 02:30", "does not exist in Europe/Madrid"),  // the hour skipped in spring
    ])
    func refuses(text: String, problem: String) {
        #expect {
            try TimeText.parse(text, zone: madrid)
        } throws: { error in
            (error as? TimeTextError)?.description.contains(problem) == true
        }
    }

    @Test func showsLocalTimeWithOffset() throws {
        let date = try TimeText.parse("2026-11-23T20:00Z", zone: madrid)
        #expect(TimeText.local(date, zone: madrid) == "2026-11-23 21:00 +01:00")
        #expect(TimeText.clock(date, zone: madrid) == "21:00")
    }

    @Test func knowsZones() {
        #expect(TimeText.zone("Europe/Madrid") != nil)
        #expect(TimeText.zone("UTC") != nil)
        #expect(TimeText.zone("Mars/Olympus") == nil)
        #expect(TimeText.zone("") == nil)
    }
}
