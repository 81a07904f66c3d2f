import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// The on-call page: served by the daemon through a scale-up and rendered by headless Chromium, checked
/// against `status --json`; written by `report --html` without a daemon; locked by a token off loopback.
@Suite(.serialized, .awaitsCleanup)
struct PageTests {
    static let hostile = "<script>alert(1)</script>"

    @Test(.enabled(if: Chromium.installed, "chromium is not installed: run `scripts/install-system-deps.sh chromium` (make test does)"))
    func theDaemonsPageAndTheReportShowWhatStatusShows() async throws {
        let fleet = try TestFleet(lead: "20s", margin: "2s", extraRoles: "\n[daemon]\ninterval = \"1s\"\nwatch = \"200ms\"\nhttp = \"127.0.0.1:0\"")
        atEnd { await fleet.cleanUp() }
        let shots = try TemporaryDirectory("scalectl-page-artifacts")
        // The window (start - 20s) is open at once; an event with a hostile name is tomorrow.
        let start = Date().addingTimeInterval(12).rounded()
        #expect(try await fleet.run("calendar", "add", "--name", "Flash", "--start", TimeText.iso(start), "--end", TimeText.iso(start.addingTimeInterval(3600))).status == 0)
        let tomorrow = start.addingTimeInterval(86_400)
        #expect(try await fleet.run("calendar", "add", "--name", Self.hostile, "--start", TimeText.iso(tomorrow), "--end", TimeText.iso(tomorrow.addingTimeInterval(3600))).status == 0)

        let daemon = try fleet.start("daemon")
        let port = try await daemon.servingPort()
        try await daemon.waitForOutput("frontal: 3/3 ready", timeout: .seconds(40))
        try await daemon.waitForOutput("celery: 2/2 ready", timeout: .seconds(20))

        let url = "http://127.0.0.1:\(port)/"
        let answer = try await HTTPClient().send(HTTPRequest(url: URL(string: url)!, timeout: .seconds(20)))
        #expect(answer.status == 200)
        let policy = answer.headers["content-security-policy"] ?? ""
        #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'none'"), "strict policy: \(policy)")

        let status = try await Self.status(fleet)
        let served = try await Chromium.dom(url, into: shots)
        try await Self.expect(try await Chromium.facts(served), matches: status)
        #expect(served.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile name is text")
        try await Chromium.screenshot(url, width: 1280, height: 800, to: shots.file("page-1280x800.png"), profile: shots)
        try await Chromium.screenshot(url, width: 390, height: 844, to: shots.file("page-390x844.png"), profile: shots)
        print("page screenshots: \(shots.file("page-1280x800.png")) and \(shots.file("page-390x844.png"))")

        daemon.signal(SIGTERM)
        #expect(try await daemon.finish(timeout: .seconds(20)).status == 0)

        // No daemon now: the report reads the same sources and opens in Chromium with the same content.
        let file = shots.file("report.html")
        let written = try await fleet.run("report", "--html", file)
        #expect(written.status == 0, "\(written)")
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("url("), "no external asset")
        let report = try await Chromium.dom("file://\(file)", into: shots)
        try await Self.expect(try await Chromium.facts(report), matches: try await Self.status(fleet))
    }

    @Test func aNonLoopbackAddressWithoutATokenDoesNotStart() async throws {
        let port = 9464  // never bound: the daemon refuses to start first
        let fleet = try TestFleet(extraRoles: "\n[daemon]\nhttp = \"0.0.0.0:\(port)\"")
        atEnd { await fleet.cleanUp() }
        let configured = try await fleet.run("daemon")
        #expect(configured.status == 2)
        #expect(configured.stderr.contains("daemon.token_env"), "\(configured)")
        let plain = try TestFleet()
        atEnd { await plain.cleanUp() }
        let flagged = try await plain.run("daemon", "--http", "10.1.2.3:\(port)")
        #expect(flagged.status == 2)
        #expect(flagged.stderr.contains("daemon.token_env"), "\(flagged)")
    }

    @Test func aWrongTokenGets401AndNoDataTheRightOneThePage() async throws {
        let token = "page-token-\(UUID().uuidString)"
        let fleet = try TestFleet(extraRoles: "\n[daemon]\nwatch = \"200ms\"\nhttp = \"127.0.0.1:0\"\ntoken_env = \"SCALECTL_TEST_PAGE_TOKEN\"")
        atEnd { await fleet.cleanUp() }
        let start = Date().addingTimeInterval(5 * 86_400).rounded()
        #expect(try await fleet.run("calendar", "add", "--name", "Quiz finale", "--start", TimeText.iso(start), "--end", TimeText.iso(start.addingTimeInterval(3600))).status == 0)
        let daemon = try fleet.start("daemon", environment: ["SCALECTL_TEST_PAGE_TOKEN": token])
        let base = "http://127.0.0.1:\(try await daemon.servingPort())"

        for (path, headers) in [("/", [:]), ("/", ["Authorization": "Bearer wrong"]), ("/status", ["Authorization": "Bearer \(token)x"]),
                                ("/metrics", [:]), ("/", ["Cookie": "scalectl_session=forged"])] {
            let answer = try await Self.get(base + path, headers: headers)
            let body = String(decoding: answer.body, as: UTF8.self)
            #expect(answer.status == 401, "\(path) \(headers)")
            #expect(!body.contains("Quiz finale") && !body.contains("frontal") && !body.contains("scalectl_nodes"), "no data in a 401: \(body)")
        }
        let bearer = try await Self.get(base + "/", headers: ["Authorization": "Bearer \(token)"])
        #expect(bearer.status == 200)
        #expect(String(decoding: bearer.body, as: UTF8.self).contains("Quiz finale"))

        // The login form: a wrong token gets 401; the right one a session cookie that opens the page.
        let wrong = try await ChildProcess.run("curl -s -o /dev/null -w 'code=%{http_code}' --data-urlencode token=nope \(base)/login", timeout: .seconds(20))
        #expect(wrong.output.contains("code=401"), "\(wrong.output)")
        let jar = try TemporaryDirectory("scalectl-page-cookies")
        defer { jar.remove() }
        let login = try await ChildProcess.run(
            "curl -s -o /dev/null -c '\(jar.file("jar"))' -w 'code=%{http_code}' --data-urlencode 'token=\(token)' \(base)/login", timeout: .seconds(20))
        #expect(login.output.contains("code=303"), "\(login.output)")
        let cookies = (try? String(contentsOfFile: jar.file("jar"), encoding: .utf8)) ?? ""
        #expect(cookies.contains("scalectl_session") && !cookies.contains(token), "a session, never the token itself: \(cookies)")
        let page = try await ChildProcess.run("curl -s -b '\(jar.file("jar"))' -w 'code=%{http_code}' \(base)/", timeout: .seconds(20))
        #expect(page.output.contains("code=200"), "\(page.output.suffix(200))")
        daemon.signal(SIGTERM)
        #expect(try await daemon.finish(timeout: .seconds(20)).status == 0)
    }

    // MARK: Helpers

    static func get(_ url: String, headers: [String: String]) async throws -> ScaleCore.HTTPResponse {
        try await HTTPClient().send(HTTPRequest(url: URL(string: url)!, headers: headers, timeout: .seconds(20)))
    }

    static func status(_ fleet: TestFleet) async throws -> [String: Any] {
        let result = try await fleet.run("status", "--json")
        #expect(result.status == 0, "\(result)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// The page's per-role counts, node names and event against `status --json`.
    static func expect(_ facts: Chromium.Facts, matches status: [String: Any]) async throws {
        let roles = status["roles"] as? [String: [String: Any]] ?? [:]
        #expect(Set(facts.roles.keys) == Set(roles.keys))
        var names: Set<String> = []
        for (name, role) in roles {
            let nodes = role["nodes"] as? [[String: Any]] ?? []
            names.formUnion(nodes.compactMap { $0["name"] as? String })
            let counts = facts.roles[name] ?? [:]
            #expect(counts["desired"] == role["desired"] as? Int, "\(name) desired")
            #expect(counts["present"] == nodes.count, "\(name) present")
            #expect(counts["running"] == nodes.filter { $0["state"] as? String == "running" }.count, "\(name) running")
            #expect(counts["ready"] == nodes.filter { $0["ready"] as? Bool == true }.count, "\(name) ready")
            #expect(counts["healthy"] == nodes.filter { $0["lb"] as? String == "healthy" }.count, "\(name) healthy")
        }
        #expect(!names.isEmpty && Set(facts.nodes.map(\.name)) == names, "the page's nodes are status's nodes")
        let window = status["window"] as? [String: Any] ?? [:]
        #expect(facts.event?["event-start"] == window["event_start"] as? String && facts.event?["event-start"] != nil)
        #expect(facts.event?["event-end"] == window["event_end"] as? String)
        #expect(facts.event?["window-start"] == window["start"] as? String)
        #expect(facts.event?["window-end"] == window["end"] as? String)
        #expect(facts.eventNames.contains(window["event"] as? String ?? "?"))
        #expect(facts.eventNames.contains(hostile), "the hostile name reads as text: \(facts.eventNames)")
        #expect(facts.scripts == 0, "no script element in the DOM")
    }
}
