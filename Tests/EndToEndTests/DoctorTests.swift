import Foundation
import ScaleTesting
import Testing

/// `scalectl doctor` through the real executable on the sim, at 16:30 before a 21:00 show: a clean
/// run, then each check failing in turn (exit 1, the FAILED line and the alert naming the problem).
@Suite(.serialized, .awaitsCleanup)
struct DoctorTests {
    static let afternoon = "2026-11-23T16:30"

    static func fleet(provider: String = "", controller: String = "", roles: String = "") async throws -> TestFleet {
        let fleet = try TestFleet(extraProvider: provider, extraController: controller, extraRoles: roles)
        let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00")
        #expect(added.status == 0, "\(added)")
        return fleet
    }

    /// Status of each check by id, from `doctor --json`.
    static func statuses(_ result: CLIResult) throws -> [String: String] {
        let checks = try #require(try result.json()["checks"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: checks.map { ($0["id"] as? String ?? "", $0["status"] as? String ?? "") })
    }

    @Test func aCleanRunPassesEveryCheck() async throws {
        let fleet = try await Self.fleet()
        atEnd { await fleet.cleanUp() }
        let result = try await fleet.run("doctor", "--at", Self.afternoon)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("next: #1 \"Gala\" at 2026-11-23 21:00 +01:00, scale-up from 20:15"), "\(result.stdout)")
        #expect(result.stdout.contains("doctor: 10 checks: 10 ok, 0 warnings, 0 FAILED"), "\(result.stdout)")
        #expect(result.stdout.contains("quota: 0 servers in the sim; #1 \"Gala\" wants 5: 5 at its peak"), "\(result.stdout)")
        #expect(result.stderr.isEmpty, "no alert: \(result.stderr)")

        let json = try await fleet.run("doctor", "--json", "--send-test", "--at", Self.afternoon)
        #expect(json.status == 0, "\(json)")
        let statuses = try Self.statuses(json)
        #expect(statuses == [
            "configuration": "ok", "credentials": "ok", "snapshot.frontal": "ok", "snapshot.celery": "ok", "load-balancer.t-lb": "ok",
            "server-type.cpx31": "ok", "server-type.cpx41": "ok", "quota": "ok", "lead": "ok", "alerts": "ok",
        ])
        let tests = try #require(try json.json()["tests"] as? [[String: Any]])
        #expect(tests.map { $0["channel"] as? String } == ["stderr"] && tests.first?["delivered"] as? Bool == true, "\(tests)")
        #expect(json.stderr.contains("test alert from scalectl doctor on"), "the test alert went to stderr: \(json.stderr)")
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var check: String
        var provider = ""
        var controller = ""
        var roles = ""
        /// On stderr, in the FAILED line and the alert.
        var message: String
        var testDescription: String { check }
    }

    static let spare = """
        [roles.spare]
        count = 1
        server_type = "cpx31"
        snapshot = { labels = "role=spare", max_age = "30h" }
        """

    static let failures: [Failure] = [
        Failure(check: "credentials", provider: "[provider.faults]\nreject_credentials = true",
                message: "credentials: sim: list nodes failed: unauthorized (HTTP 401)"),
        Failure(check: "snapshot.spare", provider: "[provider.roles.spare]\nno_snapshot = true", roles: spare,
                message: "snapshot spare: no snapshot of role spare matches the selector \"role=spare\""),
        Failure(check: "snapshot.spare", provider: "[provider.roles.spare]\nsnapshot_age = \"31h\"", roles: spare,
                message: "snapshot spare: the newest, \"spare-2026-11-22\" (id sim-spare-20261122), is 1d7h old, more than max_age 1d6h"),
        Failure(check: "load-balancer.t-lb", provider: "[provider.faults]\nmissing_balancers = [\"t-lb\"]",
                message: "load balancer t-lb: there is no load balancer named t-lb (named by frontal) at sim"),
        Failure(check: "server-type.cpx41", provider: "[provider.faults]\nunavailable_types = [\"cpx41\"]",
                message: "server type cpx41: cannot be ordered in sim (celery): server type cpx41 is not available right now"),
        Failure(check: "quota", provider: "server_limit = 4",
                message: "quota: 0 servers in the sim; #1 \"Gala\" wants 5: 5 at its peak, more than server_limit 4"),
    ]

    @Test(arguments: failures)
    func eachFailingCheckExits1AndAlerts(_ failure: Failure) async throws {
        let fleet = try await Self.fleet(provider: failure.provider, controller: failure.controller, roles: failure.roles)
        atEnd { await fleet.cleanUp() }
        let result = try await fleet.run("doctor", "--at", Self.afternoon)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("FAILED   \(failure.message)"), "\(result.stderr)")
        #expect(result.stderr.contains("to do: "), "says what to do: \(result.stderr)")
        #expect(result.stderr.contains("Gala 2026-11-23 21:00 +01:00: preflight check failed: \(failure.message)"), "the alert: \(result.stderr)")
        #expect(result.stderr.contains("Step: doctor \(failure.check)"), "\(result.stderr)")
        let json = try await fleet.run("doctor", "--json", "--at", Self.afternoon)
        #expect(json.status == 1)
        let statuses = try Self.statuses(json)
        #expect(statuses.filter { $0.value == "failed" }.keys.sorted() == [failure.check], "\(statuses)")
        if failure.check == "credentials" {
            #expect(statuses["snapshot.frontal"] == "skipped" && statuses["quota"] == "skipped", "one cause, one failure: \(statuses)")
        }
    }

    @Test func aSnapshotTooOldByTheScaleUpIsOnlyAWarning() async throws {
        let fleet = try await Self.fleet(provider: "[provider.roles.spare]\nsnapshot_age = \"28h\"", roles: Self.spare)
        atEnd { await fleet.cleanUp() }
        let result = try await fleet.run("doctor", "--quiet", "--at", Self.afternoon)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.isEmpty, "--quiet prints only problems: \(result.stdout)")
        #expect(result.stderr.contains("warning  snapshot spare: \"spare-2026-11-22\" (id sim-spare-20261122) is 1d4h old now and will be 1d7h45m old when the scale-up starts at 2026-11-23 20:15 +01:00"), "\(result.stderr)")
        #expect(!result.stderr.contains("preflight check failed"), "warnings send no alert: \(result.stderr)")
    }

    @Test func aLeadShorterThanPastScaleUpsFails() async throws {
        let fleet = try await Self.fleet(controller: "lead_safety = \"50m\"")
        atEnd { await fleet.cleanUp() }
        let next = try await fleet.run("calendar", "add", "--name", "Gala 2", "--start", "2026-11-24 21:00", "--end", "2026-11-24 23:00")
        #expect(next.status == 0, "\(next)")
        let before = try await fleet.run("doctor", "--at", Self.afternoon)
        #expect(before.status == 0, "without history the lead is not judged: \(before)")
        #expect(try await fleet.run("up", "--at", "2026-11-23T20:30").status == 0)
        #expect(try await fleet.run("down", "--at", "2026-11-23T23:31").status == 0)

        let result = try await fleet.run("doctor", "--at", "2026-11-24T16:30")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("FAILED   lead time: the lead 45m is shorter than the 50m"), "\(result.stderr)")
        #expect(result.stderr.contains("#2 \"Gala 2\" at 2026-11-24 21:00 +01:00 would be ready about 21:05"), "\(result.stderr)")
        #expect(result.stderr.contains("to do: raise [controller] lead to at least 51m, or set lead = \"auto\""), "\(result.stderr)")
    }

    @Test func sendTestGoesThroughTheConfiguredChannelsAndAFailingOneFailsDoctor() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hooks = try await FakeWebhookReceiver.start(in: directory)
        atEnd { await hooks.stop() }
        let fleet = try await Self.fleet(roles: """

            [alerts.webhook.good]
            url_env = "GOOD_HOOK"

            [alerts.webhook.bad]
            url_env = "BAD_HOOK"
            """)
        atEnd { await fleet.cleanUp() }
        let environment = ["GOOD_HOOK": hooks.url("/hooks/good"), "BAD_HOOK": hooks.url("/status/500")]

        let quiet = try await fleet.run("doctor", "--at", Self.afternoon, environment: environment)
        #expect(quiet.status == 0, "\(quiet)")
        #expect(quiet.stdout.contains("ok       alert channels: stderr, webhook.good, webhook.bad; not tested"), "\(quiet.stdout)")
        #expect(try hooks.received().isEmpty, "nothing is sent without --send-test when every check passes")

        let result = try await fleet.run("doctor", "--send-test", "--at", Self.afternoon, environment: environment)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("FAILED   alert channels: the test alert failed on 1 of 3 channels: webhook.bad: "), "\(result.stderr)")
        #expect(result.stderr.contains("500"), "the channel's answer: \(result.stderr)")
        #expect(result.stderr.contains("alerted on stderr, webhook.good; not delivered to webhook.bad"), "\(result.stderr)")
        let good = try hooks.received().filter { $0["path"] as? String == "/hooks/good" }.compactMap { $0["json"] as? [String: Any] }
        #expect(good.map { $0["kind"] as? String } == ["test", "failure"], "the test alert, then the failed check: \(good)")
        #expect(good.last?["step"] as? String == "doctor alerts")
        #expect((good.last?["title"] as? String)?.contains("preflight check failed: alert channels") == true, "\(good)")

        let again = try await fleet.run("doctor", "--send-test", "--at", "2026-11-23T16:35", environment: environment)
        #expect(again.status == 1)
        #expect(again.stderr.contains("webhook.good already told within the dedupe period"), "the dispatcher's dedupe: \(again.stderr)")

        let unset = try await fleet.run("doctor", "--at", Self.afternoon, environment: ["GOOD_HOOK": hooks.url("/hooks/good")])
        #expect(unset.status == 1, "\(unset)")
        #expect(unset.stderr.contains("FAILED   alert channels: the [alerts] channels cannot be used, only stderr: "), "\(unset.stderr)")
        #expect(unset.stderr.contains("the environment variable BAD_HOOK is not set"), "\(unset.stderr)")
    }
}
