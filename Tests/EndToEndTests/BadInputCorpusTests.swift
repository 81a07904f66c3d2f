import Foundation
import GRDB
import ScaleTesting
import Testing

/// Broken configurations, calendar files and argument combinations against a live state (an event, a
/// running fleet, an override): each exits 2, names the problem, and changes nothing (every table of
/// the database, the sim's cloud included, is compared before and after).
@Suite(.serialized, .awaitsCleanup)
struct BadInputCorpusTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Replaces text in the fleet's configuration (written to a second file on the same database).
        var config: (String, String)? = nil
        /// A calendar file to import: extension and contents.
        var file: (String, String)? = nil
        var arguments: [String]
        var says: String
        var testDescription: String { name }
    }

    static let madrid = "Europe/Madrid"

    static let cases: [Case] = [
        // Configuration
        Case(name: "misspelled required key", config: ("server_type = \"cpx31\"", "sever_type = \"cpx31\""), arguments: ["up"], says: "roles.frontal.sever_type: unknown key: did you mean roles.frontal.server_type?"),
        Case(name: "prices at the top level", config: ("[controller]", "[prices]\ncpx31 = 0.02\n\n[controller]"), arguments: ["up"], says: "did you mean [provider.prices]?"),
        Case(name: "unknown controller key", config: ("drain = \"100ms\"", "drain = \"100ms\"\nleed = \"45m\""), arguments: ["up"], says: "controller.leed: unknown key"),
        Case(name: "bare number as a duration", config: ("drain = \"100ms\"", "drain = \"100\""), arguments: ["up"], says: "controller.drain: \"100\" is not a duration"),
        Case(name: "unknown time zone", config: ("timezone = \"Europe/Madrid\"", "timezone = \"Madrid\""), arguments: ["status"], says: "controller.timezone: \"Madrid\" is not an IANA time zone"),
        Case(name: "count as text", config: ("count = 3", "count = \"three\""), arguments: ["up"], says: "roles.frontal.count: must be a whole number"),
        Case(name: "missing server type", config: ("server_type = \"cpx31\"\n", ""), arguments: ["up"], says: "roles.frontal.server_type: is required"),
        Case(name: "unknown readiness placeholder", config: ("http://{private_ip}:{port}/", "http://{address}/"), arguments: ["up"], says: "the placeholder {address} is not known here"),
        Case(name: "two readiness kinds", config: ("ready = { tcp = ", "ready = { http = \"http://x/\", tcp = "), arguments: ["up"], says: "give exactly one of http, tcp or command"),
        Case(name: "unknown provider kind", config: ("kind = \"sim\"", "kind = \"gce\""), arguments: ["down"], says: "provider.kind: \"gce\" is not a provider this build knows"),
        Case(name: "role name with capitals", config: ("[roles.celery]", "[roles.Celery]"), arguments: ["up"], says: "the role name \"Celery\" is not usable"),
        Case(name: "TOML syntax error", config: ("fleet = \"t\"", "fleet = \"t"), arguments: ["up"], says: "not valid TOML"),
        Case(name: "count above max_nodes", config: ("count = 3", "count = 3\nmax_nodes = 2"), arguments: ["up"], says: "roles.frontal.count: 3 is more than max_nodes 2"),
        Case(name: "min_ready above count", config: ("count = 3", "count = 3\nmin_ready = 4"), arguments: ["up"], says: "roles.frontal.min_ready: 4 is more than count 3"),
        Case(name: "daemon metrics not host:port", config: ("[roles.frontal]", "[daemon]\nmetrics = \"9464\"\n\n[roles.frontal]"), arguments: ["up"], says: "daemon.metrics: \"9464\" is not host:port"),
        Case(name: "unknown sim fault", config: ("backoff = \"50ms\"", "backoff = \"50ms\"\n[provider.faults]\nexplode = true"), arguments: ["up"], says: "provider.faults.explode: unknown key"),
        Case(name: "sim latency not a duration", config: ("api_latency = \"2ms\"", "api_latency = \"fast\""), arguments: ["up"], says: "provider.api_latency: \"fast\" is not a duration"),
        Case(name: "missing alert password variable", config: ("[roles.frontal]", "[alerts.email]\nsmtp = \"smtp://127.0.0.1:25\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\nuser_env = \"NO_USER\"\npassword_env = \"NO_PASSWORD\"\n\n[roles.frontal]"), arguments: ["up"], says: "is not set"),
        // CSV calendars
        Case(name: "csv: unknown column", file: ("csv", "name,begin,end\nx,2026-11-24 21:00,2026-11-24 23:00\n"), arguments: [], says: "unknown column \"begin\""),
        Case(name: "csv: no end column", file: ("csv", "name,start\nx,2026-11-24 21:00\n"), arguments: [], says: "the header has no \"end\" column"),
        Case(name: "csv: end before start", file: ("csv", "name,start,end\nGood,2026-11-25 21:00,2026-11-25 23:00\nBad,2026-11-24 21:00,2026-11-24 20:00\n"), arguments: [], says: ":3: event \"Bad\": the end"),
        Case(name: "csv: unknown zone", file: ("csv", "name,start,end,tz\nx,2026-11-24 21:00,2026-11-24 23:00,Mars/Base\n"), arguments: [], says: "\"Mars/Base\" is not an IANA time zone"),
        Case(name: "csv: unknown role", file: ("csv", "name,start,end,counts\nx,2026-11-24 21:00,2026-11-24 23:00,web=2\n"), arguments: [], says: "names the role \"web\""),
        Case(name: "csv: bad time", file: ("csv", "name,start,end\nx,tomorrow 9pm,2026-11-24 23:00\n"), arguments: [], says: "start: \"tomorrow 9pm\" is not a time"),
        Case(name: "csv: local time skipped by DST", file: ("csv", "name,start,end,tz\nx,2027-03-28 02:30,2027-03-28 04:00,Europe/Madrid\n"), arguments: [], says: "does not exist in Europe/Madrid"),
        Case(name: "csv: unclosed quote", file: ("csv", "name,start,end\n\"x,2026-11-24 21:00,2026-11-24 23:00\n"), arguments: [], says: "a quoted field is never closed"),
        // iCalendar calendars
        Case(name: "ics: hourly rule", file: ("ics", ics("RRULE:FREQ=HOURLY")), arguments: [], says: ".ics:6: RRULE FREQ=HOURLY is not supported"),
        Case(name: "ics: absurd interval", file: ("ics", ics("RRULE:FREQ=DAILY;INTERVAL=99999999999999999999")), arguments: [], says: ".ics:6: RRULE INTERVAL="),
        Case(name: "ics: this and future", file: ("ics", ics("RECURRENCE-ID;RANGE=THISANDFUTURE:20261201T200000Z")), arguments: [], says: ".ics:6: RECURRENCE-ID;RANGE=THISANDFUTURE"),
        Case(name: "ics: no summary", file: ("ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20261201T200000Z\nEND:VEVENT\nEND:VCALENDAR\n"), arguments: [], says: "has no SUMMARY"),
        Case(name: "ics: unknown zone name", file: ("ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:X\nDTSTART;TZID=Romance Time:20261201T200000\nEND:VEVENT\nEND:VCALENDAR\n"), arguments: [], says: "TZID \"Romance Time\" is neither a known time zone nor defined by a VTIMEZONE"),
        Case(name: "ics: unclosed event", file: ("ics", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:X\nDTSTART:20261201T200000Z\n"), arguments: [], says: ":2: BEGIN:VEVENT is never closed"),
        Case(name: "ics: unknown role in counts", file: ("ics", ics("X-SCALECTL-COUNTS:web=3")), arguments: [], says: "names the role \"web\""),
        // Arguments
        Case(name: "unknown subcommand", arguments: ["launch"], says: "Unexpected argument 'launch'"),
        Case(name: "unknown flag", arguments: ["up", "--dry-run"], says: "Unknown option '--dry-run'"),
        Case(name: "--at not a time", arguments: ["up", "--at", "tonight"], says: "--at: \"tonight\" is not a time"),
        Case(name: "calendar add: end before start", arguments: ["calendar", "add", "--name", "x", "--start", "2026-11-24 21:00", "--end", "2026-11-24 20:00"], says: "is not after the start"),
        Case(name: "calendar add: missing name", arguments: ["calendar", "add", "--start", "2026-11-24 21:00", "--end", "2026-11-24 23:00"], says: "Missing expected argument '--name"),
        Case(name: "calendar add: duplicate", arguments: ["calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00"], says: "already exists"),
        Case(name: "calendar remove: no such event", arguments: ["calendar", "remove", "99"], says: "there is no event #99"),
        Case(name: "calendar import: wrong file type", file: ("txt", "name,start,end\n"), arguments: [], says: "must end in .csv or .ics"),
        Case(name: "override skip: no such event", arguments: ["override", "skip", "99", "--reason", "x"], says: "there is no event #99"),
        Case(name: "override set: unknown role", arguments: ["override", "set", "web", "2", "--reason", "x"], says: "there is no role \"web\""),
        Case(name: "override extend: not a duration", arguments: ["override", "extend", "forever", "--event", "1", "--reason", "x"], says: "\"forever\" is not a duration"),
        Case(name: "override hold: in the past", arguments: ["override", "hold", "--until", "2020-01-01T00:00Z", "--reason", "x"], says: "is not in the future"),
        Case(name: "override hold: no reason", arguments: ["override", "hold", "--until", "2030-01-01T00:00Z"], says: "Missing expected argument '--reason"),
        Case(name: "override clear: nothing named", arguments: ["override", "clear"], says: "Please give an override id or --all"),
        Case(name: "history: zero runs", arguments: ["history", "--limit", "0"], says: "--limit"),
        Case(name: "down: a stray argument", arguments: ["down", "now"], says: "Unexpected argument 'now'"),
    ]

    static func ics(_ extra: String) -> String {
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:X\nDTSTART:20261201T200000Z\nDTEND:20261201T220000Z\n\(extra)\nEND:VEVENT\nEND:VCALENDAR\n"
    }

    @Test func everyBadInputExits2NamesTheProblemAndChangesNothing() async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("up", "--at", LifecycleTests.during).status == 0)
        #expect(try await fleet.run("override", "set", "celery", "2", "--event", "1", "--reason", "baseline").status == 0)
        let text = try String(contentsOfFile: fleet.config, encoding: .utf8)
            .replacingOccurrences(of: "database = \"state/scalectl.sqlite\"", with: "database = \"\(fleet.database)\"")
        let before = try Self.dump(fleet.database) + Self.dump(fleet.simState)

        for testCase in Self.cases {
            var arguments = testCase.arguments
            var config = fleet.config
            if let (old, new) = testCase.config {
                #expect(text.contains(old), "\(testCase.name): the fixture has \(old)")
                config = try fleet.directory.write("broken.toml", text.replacingOccurrences(of: old, with: new))
            }
            if let (ext, contents) = testCase.file {
                arguments = ["calendar", "import", try fleet.directory.write("calendar.\(ext)", contents)]
            }
            let when = arguments.contains("--at") ? [] : ["--at", "2026-11-23T20:40"]
            let result = try await CLI.run(arguments + ["--config", config] + when)
            #expect(result.status == 2, "\(testCase.name): \(result)")
            #expect(result.stderr.contains(testCase.says), "\(testCase.name): \(result.stderr)")
            #expect(try Self.dump(fleet.database) + Self.dump(fleet.simState) == before, "\(testCase.name) changed the database")
        }
        // The oracle itself: one good input must show up as a change, or "changes nothing" proves nothing.
        let good = try await fleet.run("calendar", "add", "--name", "Oracle", "--start", "2026-11-30 21:00", "--end", "2026-11-30 23:00")
        #expect(good.status == 0, "\(good)")
        #expect(try Self.dump(fleet.database) + Self.dump(fleet.simState) != before, "a good input changes the dump")
    }

    /// Every row of every table, the sim's included: what "changes nothing" is checked against.
    static func dump(_ path: String) throws -> String {
        try DatabaseQueue(path: path).read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            return try tables.map { table in
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\" ORDER BY rowid")
                return "\(table): " + rows.map(\.description).joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }
}
