import Foundation
import ScaleTesting
import Testing

/// `scalectl calendar sync` against a feed on a loopback HTTP server (Tests/Fakes/ics_feed.py), through the CLI.
@Suite(.serialized, .awaitsCleanup)
struct CalendarSyncTests {
    static let secret = "s3cr3t-Xq9-private-token"
    static let source = "http://127.0.0.1:{port}/calendar/ical/shows/private-${FEED_SECRET}/basic.ics"

    static func feed(_ events: String) -> String {
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nX-WR-TIMEZONE:Europe/Madrid\r\n"
            + events.replacingOccurrences(of: "\n", with: "\r\n") + "\r\nEND:VCALENDAR\r\n"
    }

    static let show = """
        BEGIN:VEVENT
        UID:show@google.com
        SUMMARY:Show
        DTSTART:20261123T200000Z
        DTEND:20261123T220000Z
        RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE;COUNT=6
        END:VEVENT
        """
    static let gala = "BEGIN:VEVENT\nUID:gala@google.com\nSUMMARY:Gala\nDTSTART:20261127T200000Z\nDTEND:20261127T223000Z\nEND:VEVENT"
    static let extra = "BEGIN:VEVENT\nUID:extra@google.com\nSUMMARY:Extra\nDTSTART:20261128T200000Z\nDTEND:20261128T220000Z\nEND:VEVENT"
    static let changes = """
        BEGIN:VEVENT
        UID:show@google.com
        RECURRENCE-ID:20261124T200000Z
        SUMMARY:Show (late)
        DTSTART:20261124T210000Z
        DTEND:20261124T230000Z
        END:VEVENT
        BEGIN:VEVENT
        UID:show@google.com
        RECURRENCE-ID:20261125T200000Z
        STATUS:CANCELLED
        SUMMARY:Show
        DTSTART:20261125T200000Z
        DTEND:20261125T220000Z
        END:VEVENT
        """

    struct Listed: Decodable {
        var id: Int
        var name: String
        var start: String
        var source: String?
    }

    @Test func followsAFeedAndNeverLeaksItsSecret() async throws {
        let feedDirectory = try TemporaryDirectory("scalectl-feed")
        defer { feedDirectory.remove() }
        _ = try feedDirectory.write("feed.ics", Self.feed(Self.show + "\n" + Self.gala))
        let server = try await PortReportingServer.fake("ics_feed.py", ["--dir", feedDirectory.path, "--secret", Self.secret])
        atEnd { await server.stop() }
        let source = Self.source.replacingOccurrences(of: "{port}", with: "\(server.port)")
        let fleet = try TestFleet(extraRoles: "\n[calendar]\nsources = [\"\(source)\"]\nmax_removals = 5\nsync_interval = \"15m\"\n")
        atEnd { await fleet.cleanUp() }
        let environment = ["FEED_SECRET": Self.secret]
        var outputs: [String] = []
        func run(_ arguments: String...) async throws -> CLIResult {
            let result = try await CLI.run(arguments + ["--config", fleet.config], environment: environment)
            outputs.append(result.stdout + result.stderr)
            return result
        }
        func listed() async throws -> [Listed] {
            let result = try await run("calendar", "list", "--json")
            return try JSONDecoder().decode([Listed].self, from: Data(result.stdout.utf8))
        }
        func requests() -> [String] {
            ((try? String(contentsOfFile: feedDirectory.file("requests.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        #expect(try await run("calendar", "add", "--name", "Hand", "--start", "2026-11-26 21:00", "--end", "2026-11-26 23:00").status == 0)
        let first = try await run("calendar", "sync", "--at", "2026-11-20T12:00")
        #expect(first.status == 0 && first.stdout.contains("7 added, 0 updated, 0 removed"), "\(first)")
        var events = try await listed()
        #expect(events.count == 8)
        #expect(events.filter { $0.source == source }.count == 7, "the source is shown as configured, with its placeholder")
        #expect(events.first { $0.name == "Hand" }?.source == nil)
        let list = try await run("calendar", "list")
        #expect(list.stdout.contains("from \(source)"), "\(list.stdout)")

        let again = try await run("calendar", "sync", "--at", "2026-11-20T12:01")
        #expect(again.stdout.contains("not modified"), "\(again)")
        #expect(requests().last?.contains("if-none-match=\"") == true, "the second request is conditional: \(requests())")

        // A new event, a moved occurrence, a cancelled occurrence and a deleted event.
        _ = try feedDirectory.write("feed.ics", Self.feed([Self.show, Self.changes, Self.extra].joined(separator: "\n")))
        let changed = try await run("calendar", "sync", "--at", "2026-11-20T12:02")
        #expect(changed.stdout.contains("1 added, 1 updated, 2 removed"), "\(changed)")
        events = try await listed()
        #expect(events.map(\.name).sorted() == ["Extra", "Hand", "Show", "Show", "Show", "Show", "Show (late)"])
        #expect(events.first { $0.name == "Show (late)" }?.start == "2026-11-24T21:00:00Z")
        #expect(!events.contains { $0.start == "2026-11-25T20:00:00Z" }, "the cancelled occurrence is gone")
        let kept = events.map(\.id).sorted()

        // An outage and an empty feed keep the last good calendar, with an alert.
        _ = try feedDirectory.write("status", "500")
        let outage = try await run("calendar", "sync", "--at", "2026-11-20T12:03")
        #expect(outage.status == 1 && outage.stdout.contains("HTTP 500") && outage.stdout.contains("last good calendar is kept"), "\(outage)")
        #expect(try await listed().map(\.id).sorted() == kept)
        try FileManager.default.removeItem(atPath: feedDirectory.file("status"))
        _ = try feedDirectory.write("feed.ics", "")
        let empty = try await run("calendar", "sync", "--at", "2026-11-20T12:04")
        #expect(empty.status == 1 && empty.stdout.contains("the feed is empty"), "\(empty)")
        #expect(try await listed().map(\.id).sorted() == kept)

        // reconcile syncs a feed that is due (once per sync_interval), and only then.
        _ = try feedDirectory.write("feed.ics", Self.feed([Self.show, Self.changes, Self.extra].joined(separator: "\n")))
        let before = requests().count
        _ = try await run("reconcile", "--at", "2026-11-20T12:30")
        #expect(requests().count > before, "reconcile synced the due feed")
        let afterFirst = requests().count
        _ = try await run("reconcile", "--at", "2026-11-20T12:31")
        #expect(requests().count == afterFirst, "not due again within sync_interval")

        // The series disappears while its first show is on air: that one waits for on-call.
        _ = try feedDirectory.write("feed.ics", Self.feed(Self.extra))
        let onAir = try await run("calendar", "sync", "--at", "2026-11-23T21:30")
        #expect(onAir.status == 1 && onAir.stdout.contains("is running now and the feed removed it"), "\(onAir)")
        events = try await listed()
        #expect(events.contains { $0.start == "2026-11-23T20:00:00Z" }, "the open-window event is kept")
        #expect(!events.contains { $0.start == "2026-11-30T20:00:00Z" }, "the others are removed")
        let accepted = try await run("calendar", "sync", "--accept-removals", "--at", "2026-11-23T21:31")
        #expect(accepted.status == 0 && accepted.stdout.contains("1 removed"), "\(accepted)")
        #expect(try await listed().map(\.name).sorted() == ["Extra", "Hand"])

        // The secret never shows: not in any output, nor any database row (alerts are journaled there).
        for output in outputs { #expect(!output.contains(Self.secret)) }
        for file in ["state/scalectl.sqlite", "state/scalectl.sqlite-wal"] {
            let bytes = FileManager.default.contents(atPath: fleet.directory.file(file)) ?? Data()
            #expect(bytes.range(of: Data(Self.secret.utf8)) == nil, "\(file) holds the secret")
        }
        #expect(requests().contains { $0.contains(Self.secret) }, "the server did get the secret address")
    }

    @Test func aMissingSecretOrABadSourceIsAClearError() async throws {
        let fleet = try TestFleet(extraRoles: "\n[calendar]\nsources = [\"https://example.invalid/private-${FEED_SECRET}/basic.ics\"]\n")
        defer { fleet.directory.remove() }
        let missing = try await CLI.run(["calendar", "sync", "--config", fleet.config])
        #expect(missing.status == 1 && missing.stdout.contains("the environment variable FEED_SECRET is not set"), "\(missing)")
        let bad = try TestFleet(extraRoles: "\n[calendar]\nsources = [\"https://user:pw@example.org/basic.ics\"]\n")
        defer { bad.directory.remove() }
        let refused = try await CLI.run(["calendar", "sync", "--config", bad.config])
        #expect(refused.status == 2 && refused.stderr.contains("calendar.sources: the address holds credentials"), "\(refused)")
        #expect(!refused.stderr.contains("pw@"))
    }
}
