import Foundation
@testable import ScaleApp
import Testing

/// `[calendar]`: feed sources, sync interval, removal cap, horizon.
struct CalendarSettingsTests {
    func parse(_ table: String) throws -> CalendarSettings {
        try ConfigLoader.parse(ConfigLoaderTests.good + "\n[calendar]\n" + table, file: "/etc/scalectl/x.toml").calendar
    }

    @Test func readsSourcesAndKeepsSecretsAsPlaceholders() throws {
        let settings = try parse("""
            sources = ["https://calendar.google.com/calendar/ical/a/private-${GCAL_SECRET}/basic.ics", "file:shows.ics"]
            sync_interval = "5m"
            max_removals = 10
            """)
        #expect(settings.sources.map(\.name) == ["https://calendar.google.com/calendar/ical/a/private-${GCAL_SECRET}/basic.ics", "file:shows.ics"])
        #expect(settings.sources[1].path == "/etc/scalectl/shows.ics", "relative to the configuration file")
        #expect(settings.syncInterval == .seconds(300) && settings.maxRemovals == 10)
        let url = try settings.sources[0].address(environment: ["GCAL_SECRET": "abc123"])
        #expect(url.absoluteString == "https://calendar.google.com/calendar/ical/a/private-abc123/basic.ics")
        #expect(throws: InputError.self) { try settings.sources[0].address(environment: [:]) }
    }

    @Test(arguments: [
        ("sources = [\"ftp://example.org/a.ics\"]", "calendar.sources: \"ftp://example.org/a.ics\" is neither an http(s):// nor a file: address"),
        ("sources = [\"https://u:p@example.org/a.ics\"]", "calendar.sources: the address holds credentials"),
        ("sources = [\"file:a.ics\", \"file:a.ics\"]", "is listed twice"),
        ("sync_interval = \"10s\"", "calendar.sync_interval: must be at least 1m"),
        ("max_removals = -1", "calendar.max_removals"),
        ("horizon = \"20y\"", "calendar.horizon"),
        ("source = [\"file:a.ics\"]", "source"),
    ])
    func refusesBadSettingsNamingTheKey(table: String, message: String) {
        #expect {
            try parse(table)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
