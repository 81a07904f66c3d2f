import Foundation
import ScaleTesting
import Testing

/// `scalectl calendar import FILE.ics` through the CLI: a faithful import, or exit 2 naming the line.
@Suite(.serialized)
struct CalendarImportTests {
    static let calendars = "\(TestTools.repositoryRoot)/Tests/ScaleCalendarTests/Calendars"

    @Test func importsAnOutlookExportWithWindowsZonesAndAMovedOccurrence() async throws {
        let fleet = try TestFleet()
        defer { fleet.directory.remove() }
        let result = try await fleet.run("calendar", "import", "\(Self.calendars)/outlook-windows-zone.ics", "--at", "2026-01-15T12:00", "--horizon", "30d")
        #expect(result.status == 0, "\(result)")
        let listed = try await fleet.run("calendar", "list", "--json")
        struct Listed: Decodable {
            var name: String
            var start: String
            var timeZone: String
            enum CodingKeys: String, CodingKey { case name, start, timeZone = "time_zone" }
        }
        let events = try JSONDecoder().decode([Listed].self, from: Data(listed.stdout.utf8))
        // Ensayo: every other week from Tue 20 Jan (WKST=SU), 3 Feb excluded, 5 Feb moved to Fri 6 Feb 18:00.
        #expect(events.map { "\($0.name) \($0.start)" } == [
            "Ensayo 2026-01-20T18:00:00Z", "Ensayo 2026-01-22T18:00:00Z", "Gala final del mes 2026-01-30T20:00:00Z",
            "Ensayo (moved) 2026-02-06T17:00:00Z",
        ], "\(listed.stdout)")
        #expect(events.allSatisfy { $0.timeZone == "Europe/Berlin" || $0.timeZone == "Europe/Paris" })
        let again = try await fleet.run("calendar", "import", "\(Self.calendars)/outlook-windows-zone.ics", "--at", "2026-01-15T12:00", "--horizon", "30d")
        #expect(again.stdout.contains("imported 0 events") && again.stdout.contains("4 already in the calendar"), "\(again)")
    }

    @Test func refusesAnAmbiguousFileNamingTheLineAndImportsNothing() async throws {
        let fleet = try TestFleet()
        defer { fleet.directory.remove() }
        let file = try fleet.directory.write("until.ics", """
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            BEGIN:VEVENT\r
            UID:a\r
            SUMMARY:Show\r
            DTSTART;TZID=Europe/Madrid:20261123T210000\r
            RRULE:FREQ=DAILY;UNTIL=20261130\r
            END:VEVENT\r
            BEGIN:VEVENT\r
            UID:b\r
            SUMMARY:Other\r
            DTSTART;TZID=Europe/Madrid:20261124T210000\r
            END:VEVENT\r
            END:VCALENDAR\r
            """)
        let result = try await fleet.run("calendar", "import", file, "--at", "2026-11-20T12:00")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("until.ics:7: RRULE UNTIL is a date but DTSTART a date-time"), "\(result.stderr)")
        let unclosed = try fleet.directory.write("unclosed.ics", try String(contentsOfFile: file, encoding: .utf8)
            .replacingOccurrences(of: "RRULE:FREQ=DAILY;UNTIL=20261130\r\n", with: "").replacingOccurrences(of: "END:VEVENT\r\nEND:VCALENDAR", with: "END:VCALENDAR"))
        let second = try await fleet.run("calendar", "import", unclosed, "--at", "2026-11-20T12:00")
        #expect(second.status == 2 && second.stderr.contains("unclosed.ics:8: BEGIN:VEVENT is never closed"), "\(second)")
        let listed = try await fleet.run("calendar", "list")
        #expect(listed.stdout.contains("the calendar is empty"), "\(listed)")
    }
}
