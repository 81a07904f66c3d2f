import Foundation
import ScaleCore
import Testing

@testable import ScaleApp

/// The page's parts that need no daemon: escaping, the week's steps, the token check, the settings.
struct PagePartsTests {
    static let zone = TimeZone(identifier: "Europe/Madrid")!
    static func at(_ text: String) -> Date { try! TimeText.parse(text, zone: zone) }

    @Test func interpolatedTextIsEscapedAndOnlyHTMLGoesInRaw() {
        let name = "<script>alert(1)</script> & \"quotes\" 'too'"
        let cell: HTML = "<td title=\"\(name)\">\(name)</td>"
        #expect(cell.description == "<td title=\"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;\">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;</td>")
        let row: HTML = "<tr>\(cell)</tr>"
        #expect(row.description.hasPrefix("<tr><td title="), "HTML goes in as markup, once")
    }

    static let roles = [
        RoleSettings(name: "frontal", count: 3, serverType: "cpx31", snapshot: SnapshotRule(selector: "role=frontal", maxAge: .seconds(3600))),
        RoleSettings(name: "celery", count: 2, serverType: "cpx41", snapshot: SnapshotRule(selector: "role=celery", maxAge: .seconds(3600))),
    ]

    @Test func thePastComesFromTheLedgerTheFutureFromThePlan() {
        let now = Self.at("2026-11-23T12:00")
        let shows = [
            Event(id: 1, name: "Mon", start: Self.at("2026-11-22T20:00"), end: Self.at("2026-11-22T22:00"), timeZone: Self.zone.identifier),
            Event(id: 2, name: "Tue", start: Self.at("2026-11-24T20:00"), end: Self.at("2026-11-24T22:00"), timeZone: Self.zone.identifier, counts: ["frontal": 5]),
        ]
        let settings = FleetSettings(fleet: "m", timeZone: Self.zone, lead: .seconds(1800), margin: .seconds(900), drain: .seconds(60), roles: Self.roles)
        let more = Override(id: 1, action: .setCount(role: "celery", count: 4, eventID: 2), reason: "r", author: "a", createdAt: now, expiresAt: nil)
        let windows = Planner.windows(shows, settings: settings, overrides: [more])
        let lives = (1...3).map { ServerLife(name: "f\($0)", role: "frontal", event: "1", serverType: "cpx31", start: Self.at("2026-11-22T19:30"), end: Self.at("2026-11-22T22:16")) }
            + [ServerLife(name: "late", role: "celery", event: "1", serverType: "cpx41", start: Self.at("2026-11-22T19:40"), end: nil)]
        let week = WeekTimeline(now: now, windows: windows, overrides: [more], roles: Self.roles, lives: lives)

        #expect(week.past == [
            .init(at: now.addingTimeInterval(-86_400), count: 0), .init(at: Self.at("2026-11-22T19:30"), count: 3),
            .init(at: Self.at("2026-11-22T19:40"), count: 4), .init(at: Self.at("2026-11-22T22:16"), count: 1),
        ])
        #expect(week.future == [
            .init(at: now, count: 0), .init(at: Self.at("2026-11-24T19:30"), count: 9), .init(at: Self.at("2026-11-24T22:15"), count: 0),
        ], "5 front-ends from the event, 4 workers from the override")
        #expect(week.windows.map(\.primary.id) == [1, 2])
        #expect(week.peak == 9)
    }

    @Test func theTokenOpensByBearerOrSessionCookieAndNothingElse() {
        let access = PageAccess(token: Secret("s3cret"))
        let session = access.session!
        #expect(!session.contains("s3cret"))
        #expect(access.allows(authorization: "Bearer s3cret", cookies: []))
        #expect(access.allows(authorization: nil, cookies: ["a=b; \(PageAccess.cookieName)=\(session)"]))
        #expect(!access.allows(authorization: nil, cookies: []))
        #expect(!access.allows(authorization: "Bearer s3cre", cookies: []))
        #expect(!access.allows(authorization: "s3cret", cookies: []))
        #expect(!access.allows(authorization: nil, cookies: ["\(PageAccess.cookieName)=s3cret"]))
        #expect(access.accepts(form: Data("token=s3cret".utf8)))
        #expect(PageAccess(token: Secret("a b&c")).accepts(form: Data("token=a+b%26c".utf8)))
        #expect(!access.accepts(form: Data("token=nope".utf8)))
        #expect(PageAccess(token: nil).allows(authorization: nil, cookies: []))
        #expect(!PageAccess(token: nil).accepts(form: Data("token=".utf8)))
    }

    static let base = """
        [controller]
        fleet = "m"
        timezone = "Europe/Madrid"
        [provider]
        kind = "sim"
        [roles.frontal]
        count = 1
        server_type = "cpx31"
        snapshot = { labels = "role=frontal", max_age = "30h" }

        """

    @Test func theDaemonSettingsNameTheAddressAndWhereTheTokenIs() throws {
        let configuration = try ConfigLoader.parse(Self.base + "[daemon]\nhttp = \"0.0.0.0:9464\"\ntoken_env = \"PAGE_TOKEN\"", file: "/etc/s.toml")
        #expect(configuration.daemon.metrics == "0.0.0.0:9464")
        #expect(configuration.daemon.token == .variable("PAGE_TOKEN", key: "daemon.token_env"))
        let access = try Daemon.access("0.0.0.0:9464", configuration, environment: ["PAGE_TOKEN": "t"])
        #expect(access.allows(authorization: "Bearer t", cookies: []) && !access.allows(authorization: nil, cookies: []))

        let open = try ConfigLoader.parse(Self.base + "[daemon]\nhttp = \"0.0.0.0:9464\"", file: "/etc/s.toml")
        #expect(throws: ConfigError.self) { try Daemon.access("0.0.0.0:9464", open, environment: [:]) }
        do {
            _ = try Daemon.access("0.0.0.0:9464", open, environment: [:])
        } catch {
            #expect("\(error)".contains("daemon.token_env"))
        }
        #expect(try Daemon.access("127.0.0.1:9464", open, environment: [:]).token == nil, "loopback needs no token")

        for (text, key) in [("token = \"t\"", "token"), ("http = \"127.0.0.1:1\"\nmetrics = \"127.0.0.1:2\"", "metrics")] {
            #expect {
                try ConfigLoader.parse(Self.base + "[daemon]\n" + text, file: "/etc/s.toml")
            } throws: { error in
                (error as? ConfigError)?.key?.hasSuffix(key) == true
            }
        }
    }
}
