import Foundation
@testable import ScaleApp
import ScaleCore
import Testing

struct ICalendarTests {
    let madrid = TimeZone(identifier: "Europe/Madrid")!

    func events(_ body: String, from: String = "2026-10-01T00:00Z", days: Double = 60) throws -> [EventInput] {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\(body.replacingOccurrences(of: "\n", with: "\r\n"))\r\nEND:VCALENDAR\r\n"
        let start = try TimeText.parse(from, zone: madrid)
        return try ICalendarInput.events(Array(text.utf8), defaultZone: madrid, from: start, to: start + .seconds(days * 86_400)).map(\.input)
    }

    @Test func aWeeklyShowKeepsItsLocalTimeAcrossTheAutumnChange() throws {
        let found = try events("""
            BEGIN:VEVENT
            SUMMARY:Mihiluze
            DTSTART;TZID=Europe/Madrid:20261022T210000
            DTEND;TZID=Europe/Madrid:20261022T230000
            RRULE:FREQ=WEEKLY;BYDAY=TH,FR,MO;COUNT=4
            END:VEVENT
            """)
        // Thu 22 and Fri 23 Oct are summer time (UTC+2); Mon 26 and Thu 29 are winter time (UTC+1).
        #expect(found.map(\.start) == ["2026-10-22T19:00:00Z", "2026-10-23T19:00:00Z", "2026-10-26T20:00:00Z", "2026-10-29T20:00:00Z"])
        #expect(found.map(\.end) == ["2026-10-22T21:00:00Z", "2026-10-23T21:00:00Z", "2026-10-26T22:00:00Z", "2026-10-29T22:00:00Z"])
        #expect(found.allSatisfy { $0.timeZone == "Europe/Madrid" && $0.name == "Mihiluze" })
    }

    @Test func aDailyRuleAcrossTheSpringChangeWithUntilAndExdate() throws {
        let found = try events("""
            BEGIN:VEVENT
            SUMMARY:Match
            DTSTART;TZID=Europe/Madrid:20260327T200000
            DURATION:PT1H30M
            RRULE:FREQ=DAILY;UNTIL=20260331T235959Z
            EXDATE;TZID=Europe/Madrid:20260330T200000
            END:VEVENT
            """, from: "2026-03-20T00:00Z")
        #expect(found.map(\.start) == ["2026-03-27T19:00:00Z", "2026-03-28T19:00:00Z", "2026-03-29T18:00:00Z", "2026-03-31T18:00:00Z"])
        #expect(found.first?.end == "2026-03-27T20:30:00Z")
    }

    @Test func expandsOnlyOverTheHorizonAndSkipsThePast() throws {
        let found = try events("""
            BEGIN:VEVENT
            SUMMARY:Every week
            DTSTART:20260101T200000Z
            DTEND:20260101T220000Z
            RRULE:FREQ=WEEKLY;INTERVAL=2
            END:VEVENT
            """, from: "2026-10-01T00:00Z", days: 30)
        #expect(found.map(\.start) == ["2026-10-08T20:00:00Z", "2026-10-22T20:00:00Z"])
    }

    @Test func readsFoldedLinesEscapesCountsAllDayAndCancelled() throws {
        let found = try events("""
            BEGIN:VEVENT
            SUMMARY:Gala\\, final
            DESCRIPTION:A long note that is folded
              over two lines
            DTSTART:20261123T200000Z
            DTEND:20261123T220000Z
            X-SCALECTL-COUNTS:frontal=5 celery=4
            END:VEVENT
            BEGIN:VEVENT
            SUMMARY:Sale
            DTSTART;VALUE=DATE:20261127
            END:VEVENT
            BEGIN:VEVENT
            SUMMARY:Gone
            STATUS:CANCELLED
            DTSTART:20261124T200000Z
            END:VEVENT
            """)
        #expect(found.map(\.name) == ["Gala, final", "Sale"])
        #expect(found[0].notes == "A long note that is folded over two lines")
        #expect(found[0].counts == ["frontal=5", "celery=4"])
        #expect(found[1].start == "2026-11-26T23:00:00Z", "an all-day event runs from local midnight")
        #expect(found[1].end == "2026-11-27T23:00:00Z")
    }

    @Test(arguments: [
        ("RRULE:FREQ=HOURLY", "line 6: RRULE FREQ=HOURLY is not supported"),
        ("RRULE:FREQ=WEEKLY;BYDAY=1MO", "line 6: RRULE BYDAY with a number (such as 2MO) is only valid with FREQ=MONTHLY or YEARLY"),
        ("RRULE:FREQ=DAILY;INTERVAL=99999999999", "line 6: RRULE INTERVAL=99999999999 is out of range"),
        ("RRULE:FREQ=DAILY;COUNT=9223372036854775807", "line 6: RRULE COUNT=9223372036854775807 is out of range"),
        ("RECURRENCE-ID;RANGE=THISANDFUTURE:20261123T200000Z", "line 6: RECURRENCE-ID;RANGE=THISANDFUTURE"),
        ("DURATION:two hours", "line 6: \"two hours\" is not a duration"),
        ("DURATION:PT99999999999999H", "line 6: the duration \"PT99999999999999H\" is absurdly long"),
        ("DTEND:20261123T190000Z", "line 6: the event ends before it starts"),
    ])
    func refusesWhatItDoesNotSupportNamingTheLine(extra: String, message: String) {
        #expect {
            try events("BEGIN:VEVENT\nSUMMARY:X\nDTSTART:20261123T200000Z\n\(extra)\nEND:VEVENT")
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test(arguments: [
        ("BEGIN:VEVENT\nDTSTART:20261123T200000Z\nEND:VEVENT", "line 3: the VEVENT has no SUMMARY"),
        ("BEGIN:VEVENT\nSUMMARY:X\nDTSTART;TZID=Central Europe:20261123T200000\nEND:VEVENT", "line 5: TZID \"Central Europe\" is neither a known time zone nor defined by a VTIMEZONE"),
        ("BEGIN:VEVENT\nSUMMARY:X\nDTSTART:2026-11-23\nEND:VEVENT", "line 5: \"2026-11-23\" is not an iCalendar date"),
        ("BEGIN:VEVENT\nSUMMARY:X\nDTSTART;TZID=Europe/Madrid:20261323\nEND:VEVENT", "line 5: \"20261323\" is not a real date"),
        ("BEGIN:VEVENT\nSUMMARY:X\nDTSTART:20261123T200000Z", "line 3: BEGIN:VEVENT is never closed"),
    ])
    func refusesBrokenEvents(body: String, message: String) {
        #expect {
            try events(body)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
