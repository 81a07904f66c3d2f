import Foundation
import ScaleCalendar
import Testing

/// The classes of silent error the issue lists, each pinned by an expected set of UTC starts.
struct RecurrenceTests {
    static let madrid = Zone(iana: "Europe/Madrid")!

    /// Starts (ISO, UTC) of the occurrences of `body` (VEVENTs) that overlap the window.
    func starts(_ body: String, from: String, to: String, header: String = "") throws -> [String] {
        try occurrences(body, from: from, to: to, header: header).map { iso($0.start) }
    }

    func occurrences(_ body: String, from: String, to: String, header: String = "") throws -> [Occurrence] {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\(header)\(body.replacingOccurrences(of: "\n", with: "\r\n"))\r\nEND:VCALENDAR\r\n"
        let calendar = try ICalendar.parse(Array(text.utf8), localZone: Self.madrid)
        return try calendar.occurrences(from: instant(from), to: instant(to))
    }

    func instant(_ text: String) -> Int { Int(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970) }
    func iso(_ seconds: Int) -> String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) }

    func refusal(_ body: String) -> String? {
        do {
            _ = try occurrences(body, from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func anOldDailySeriesStillHasOccurrencesNow() throws {
        let found = try starts("BEGIN:VEVENT\nUID:a\nDTSTART:19800101T200000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY\nEND:VEVENT",
                               from: "2026-11-01T00:00:00Z", to: "2026-11-04T00:00:00Z")
        #expect(found == ["2026-11-01T20:00:00Z", "2026-11-02T20:00:00Z", "2026-11-03T20:00:00Z"])
    }

    @Test func lastFridayOfTheMonthAndSetPositions() throws {
        let fridays = try starts("BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Madrid:20260130T210000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR\nEND:VEVENT",
                                 from: "2026-01-01T00:00:00Z", to: "2026-05-01T00:00:00Z")
        #expect(fridays == ["2026-01-30T20:00:00Z", "2026-02-27T20:00:00Z", "2026-03-27T20:00:00Z", "2026-04-24T19:00:00Z"])
        let lastWeekday = try starts("BEGIN:VEVENT\nUID:a\nDTSTART:20260130T200000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3\nEND:VEVENT",
                                     from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
        #expect(lastWeekday == ["2026-01-30T20:00:00Z", "2026-02-27T20:00:00Z", "2026-03-31T20:00:00Z"])
    }

    @Test func weekStartChangesWhichDatesABiweeklyRuleHits() throws {
        // RFC 5545 §3.3.10's own example: WKST=MO gives Aug 5, 10, 19, 24; WKST=SU gives Aug 5, 17, 19, 31.
        let body = "BEGIN:VEVENT\nUID:a\nDTSTART:19970805T090000Z\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=%@\nEND:VEVENT"
        let monday = try starts(body.replacingOccurrences(of: "%@", with: "MO"), from: "1997-08-01T00:00:00Z", to: "1997-09-30T00:00:00Z")
        let sunday = try starts(body.replacingOccurrences(of: "%@", with: "SU"), from: "1997-08-01T00:00:00Z", to: "1997-09-30T00:00:00Z")
        #expect(monday.map { String($0.prefix(10)) } == ["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"])
        #expect(sunday.map { String($0.prefix(10)) } == ["1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"])
    }

    @Test func exdatesAsDatesAndInAnotherZoneExclude() throws {
        let found = try starts("""
            BEGIN:VEVENT
            UID:a
            DTSTART;TZID=Europe/Madrid:20261102T210000
            RRULE:FREQ=DAILY;COUNT=4
            EXDATE;VALUE=DATE:20261103
            EXDATE;TZID=Europe/London:20261104T200000
            END:VEVENT
            """, from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z")
        #expect(found == ["2026-11-02T20:00:00Z", "2026-11-05T20:00:00Z"])
    }

    @Test func changedAndCancelledOccurrencesAndRevisions() throws {
        let found = try occurrences("""
            BEGIN:VEVENT
            UID:show
            SEQUENCE:1
            SUMMARY:old title
            DTSTART;TZID=Europe/Madrid:20261102T210000
            DTEND;TZID=Europe/Madrid:20261102T230000
            RRULE:FREQ=DAILY;COUNT=4
            END:VEVENT
            BEGIN:VEVENT
            UID:show
            SEQUENCE:2
            SUMMARY:Show
            DTSTART;TZID=Europe/Madrid:20261102T220000
            DTEND;TZID=Europe/Madrid:20261103T000000
            RRULE:FREQ=DAILY;COUNT=4
            END:VEVENT
            BEGIN:VEVENT
            UID:show
            RECURRENCE-ID;TZID=Europe/Madrid:20261103T220000
            SUMMARY:Show (moved)
            DTSTART;TZID=Europe/Madrid:20261103T180000
            DTEND;TZID=Europe/Madrid:20261103T190000
            END:VEVENT
            BEGIN:VEVENT
            UID:show
            RECURRENCE-ID;TZID=Europe/Madrid:20261104T220000
            STATUS:CANCELLED
            DTSTART;TZID=Europe/Madrid:20261104T220000
            END:VEVENT
            """, from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z")
        #expect(found.map { iso($0.start) } == ["2026-11-02T21:00:00Z", "2026-11-03T17:00:00Z", "2026-11-05T21:00:00Z"])
        #expect(found.map { $0.summary ?? "" } == ["Show", "Show (moved)", "Show"])
        #expect(found[1].recurrenceID == instant("2026-11-03T21:00:00Z"), "a moved occurrence keeps its original key")
    }

    @Test func allDayEventsAreNominalDaysAcrossDaylightSaving() throws {
        let found = try occurrences("BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20260328\nDURATION:P1D\nRRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT",
                                    from: "2026-03-27T00:00:00Z", to: "2026-04-01T00:00:00Z")
        #expect(found.map { iso($0.start) } == ["2026-03-27T23:00:00Z", "2026-03-28T23:00:00Z"])
        #expect(found.map { ($0.end - $0.start) / 3600 } == [24, 23], "29 March 2026 has 23 hours in Madrid")
        #expect(found.allSatisfy { $0.isAllDay })
    }

    @Test func textUnescapingAndFoldsThatSplitUTF8() throws {
        let summary = Array("SUMMARY:Gala — ñandú".utf8)
        var bytes = Array("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261101T200000Z\r\n".utf8)
        bytes += summary[0..<13] + Array("\r\n ".utf8) + summary[13...]  // the fold splits "—" (3 bytes)
        bytes += Array("\r\nDESCRIPTION:a\\\\nb\\nc\\, d\\;\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        let found = try ICalendar.parse(bytes, localZone: Self.madrid).occurrences(from: 0, to: 2_000_000_000)
        #expect(found.first?.summary == "Gala — ñandú")
        #expect(found.first?.description == "a\\nb\nc, d;")
    }

    @Test(arguments: [
        ("BEGIN:VEVENT\nUID:a\nDTSTART:20260101T200000Z\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nDTSTART:20260102T200000Z", "line 7: BEGIN:VEVENT is never closed"),
        ("BEGIN:VEVENT\nUID:a\nDTSTART:20260101T200000Z\nRRULE:FREQ=DAILY;INTERVAL=99999999999999999999\nEND:VEVENT", "line 6: RRULE INTERVAL="),
        ("BEGIN:VEVENT\nUID:a\nDTSTART:20260101T200000Z\nRRULE:FREQ=DAILY;COUNT=99999999999999999999\nEND:VEVENT", "line 6: RRULE COUNT="),
        ("BEGIN:VEVENT\nUID:a\nDTSTART:20260101T200000Z\nDURATION:P9223372036854775807W\nEND:VEVENT", "line 6: the duration"),
        ("BEGIN:VEVENT\nUID:a\nDTSTART:99991231T200000Z\nDURATION:P36000D\nEND:VEVENT", ""),
        ("BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Madrid:20260101T200000\nRRULE:FREQ=DAILY;UNTIL=20260110\nEND:VEVENT", "line 6: RRULE UNTIL is a date but DTSTART a date-time"),
        ("BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Madrid:20260328T230000\nDURATION:PT4H\nEND:VEVENT", "spans a daylight-saving change"),
        ("BEGIN:VEVENT\nUID:a\nDTSTART:20260105T200000Z\nRRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=2\nEND:VEVENT", "line 6: DTSTART 2026-01-05T20:00:00 is not itself an occurrence"),
        ("BEGIN:VEVENT\nUID:a\nSEQUENCE:1\nDTSTART:20260105T200000Z\nEND:VEVENT\nBEGIN:VEVENT\nUID:a\nSEQUENCE:1\nDTSTART:20260106T200000Z\nEND:VEVENT", "line 8: the VEVENT repeats UID a"),
    ])
    func absurdOrAmbiguousInputIsRefusedWithItsLine(body: String, message: String) {
        let answer = refusal(body)
        if message.isEmpty {
            #expect(answer == nil || answer?.hasPrefix("line ") == true)
        } else {
            #expect(answer?.contains(message) == true, "\(answer ?? "accepted")")
        }
    }

    @Test func zonesFromWindowsNamesLibicalIdsAndVTimezoneRules() throws {
        let body = """
            BEGIN:VTIMEZONE
            TZID:Studio
            BEGIN:STANDARD
            DTSTART:19701025T030000
            TZOFFSETFROM:+0200
            TZOFFSETTO:+0100
            RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
            END:STANDARD
            BEGIN:DAYLIGHT
            DTSTART:19700329T020000
            TZOFFSETFROM:+0100
            TZOFFSETTO:+0200
            RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
            END:DAYLIGHT
            END:VTIMEZONE
            BEGIN:VEVENT
            UID:w
            DTSTART;TZID=Romance Standard Time:20260701T210000
            END:VEVENT
            BEGIN:VEVENT
            UID:l
            DTSTART;TZID=/freeassociation.sourceforge.net/Tzfile/America/New_York:20260701T210000
            END:VEVENT
            BEGIN:VEVENT
            UID:v
            DTSTART;TZID=Studio:20261201T210000
            END:VEVENT
            """
        let found = try occurrences(body, from: "2026-06-01T00:00:00Z", to: "2027-01-01T00:00:00Z")
        #expect(found.map { "\($0.uid) \(iso($0.start))" } == ["w 2026-07-01T19:00:00Z", "l 2026-07-02T01:00:00Z", "v 2026-12-01T20:00:00Z"])
    }

    @Test func googleXWRTimezoneKeepsAUTCRuleOnLocalTime() throws {
        let found = try starts("BEGIN:VEVENT\nUID:g\nDTSTART:20260302T200000Z\nRRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT",
                               from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z", header: "X-WR-TIMEZONE:Europe/Madrid\r\n")
        #expect(found == ["2026-03-02T20:00:00Z", "2026-03-09T20:00:00Z", "2026-03-16T20:00:00Z"])
        let summer = try starts("BEGIN:VEVENT\nUID:g\nDTSTART:20260323T200000Z\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT",
                                from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z", header: "X-WR-TIMEZONE:Europe/Madrid\r\n")
        #expect(summer == ["2026-03-23T20:00:00Z", "2026-03-30T19:00:00Z"], "21:00 in Madrid after the spring change")
    }
}
