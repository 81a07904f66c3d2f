import Foundation
import ScaleTesting
import Testing

/// `scalectl doctor` through the real executable against the fake Hetzner API, at 16:30 before a 21:00
/// show in `nbg1`: a clean run that only reads, then each check failing in turn.
@Suite(.serialized, .awaitsCleanup)
struct HetznerDoctorTests {
    static let afternoon = "2026-11-23T16:30"  // 15:30 UTC

    enum Images: Sendable {
        case fresh, noCelery, staleCelery
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var images = Images.fresh
        var balancer = true
        /// A `POST /__faults` body, as JSON.
        var faults: String?
        /// Servers of someone else in the project.
        var strangers = 0
        var provider = ""
        var token: String? = FakeHetzner.token
        /// The failed check and its line (after `FAILED   `).
        var check: String
        var message: String
        var testDescription: String { name }
    }

    typealias Fleet = HetznerEndToEndTests.Fleet

    /// A fleet on the fake, seeded as the scenario says.
    static func start(_ scenario: Scenario, controller: String = "") async throws -> Fleet {
        let fleet = try await Fleet.start(seed: false, controller: controller, provider: scenario.provider)
        let fake = fleet.fake
        switch scenario.images {
        case .fresh:
            try await fake.seedFleetImages()
        case .noCelery:
            try await fake.seed(["images": [["description": "frontal-new", "labels": ["role": "frontal"], "created": "2026-11-23T13:00:00+00:00"]]])
        case .staleCelery:
            try await fake.seedFleetImages(created: "2026-11-22T08:00:00+00:00")
        }
        if scenario.balancer { try await fake.seed(["load_balancers": [["name": "t-lb"]]]) }
        if scenario.strangers > 0 {
            try await fake.seed(["servers": (1...scenario.strangers).map { ["name": "db-\($0)", "labels": ["team": "data"]] }])
        }
        if let faults = scenario.faults {
            try await fake.faults(try #require(try JSONSerialization.jsonObject(with: Data(faults.utf8)) as? [String: Any]))
        }
        return fleet
    }

    static func token(_ token: String?) -> [String: String] { ["TEST_HCLOUD_TOKEN": token ?? ""] }

    @Test func aCleanRunOnlyReadsAndPasses() async throws {
        let fleet = try await Self.start(Scenario(name: "clean", check: "", message: ""))
        atEnd { await fleet.stop() }
        let result = try await fleet.run("doctor", "--at", Self.afternoon)
        #expect(result.status == 0, "\(result)")
        for line in [
            "ok       credentials: hetzner answered a read-only call: 0 nodes of fleet t listed",
            "ok       snapshot celery: \"celery-new\" (id 203) is 2h30m old (max_age 1d6h)",
            "ok       load balancer t-lb: exists (frontal)",
            "ok       server type cpx31: can be ordered in nbg1 (frontal)",
            "ok       quota: 0 servers in the project; #1 \"Gala\" wants 5: 5 at its peak; no limit known",
            "doctor: 10 checks: 10 ok, 0 warnings, 0 FAILED",
        ] {
            #expect(result.stdout.contains(line), "\(line)\n\(result.stdout)")
        }
        let requests = try await fleet.fake.requests()
        #expect(!requests.isEmpty && requests.allSatisfy { $0.method == "GET" && $0.auth == "ok" }, "doctor only reads: \(requests)")
        #expect(requests.contains { $0.is("GET", "/v1/server_types") && $0.query["name"] == ["cpx41"] })
        #expect(requests.contains { $0.is("GET", "/v1/load_balancers") && $0.query["name"] == ["t-lb"] })
        #expect(!result.stdout.contains(FakeHetzner.token) && !result.stderr.contains(FakeHetzner.token))
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "a wrong token", token: "hz-wrong-0000", check: "credentials",
                 message: "credentials: hetzner: list nodes failed: unauthorized (HTTP 401): unable to authenticate"),
        Scenario(name: "no token", token: nil, check: "credentials",
                 message: "credentials: "),
        Scenario(name: "no celery snapshot", images: .noCelery, check: "snapshot.celery",
                 message: "snapshot celery: no snapshot of role celery matches the selector \"role=celery\""),
        Scenario(name: "a stale celery snapshot", images: .staleCelery, check: "snapshot.celery",
                 message: "snapshot celery: the newest, \"celery-new\" (id 203), is 1d7h30m old, more than max_age 1d6h: up would refuse it"),
        Scenario(name: "no load balancer", balancer: false, check: "load-balancer.t-lb",
                 message: "load balancer t-lb: there is no load balancer named t-lb (named by frontal) at hetzner"),
        Scenario(name: "a type sold out in the location", faults: #"{"unavailable_types": {"cpx41": ["nbg1"]}}"#, check: "server-type.cpx41",
                 message: "server type cpx41: cannot be ordered in nbg1 (celery): Hetzner lists cpx41 as not available in nbg1 right now (it can be ordered in ash, fsn1, hel1, hil, sin)"),
        Scenario(name: "a type deprecated in the location", faults: #"{"deprecated_types": {"cpx31": {"nbg1": "2026-06-01T00:00:00+00:00"}}}"#,
                 check: "server-type.cpx31",
                 message: "server type cpx31: cannot be ordered in nbg1 (frontal): cpx31 is deprecated in nbg1 since 2026-06-01T00:00:00Z"),
        Scenario(name: "the server limit", strangers: 3, provider: "server_limit = 7", check: "quota",
                 message: "quota: 3 servers in the project; #1 \"Gala\" wants 5: 8 at its peak, more than server_limit 7"),
    ]

    @Test(arguments: scenarios)
    func eachFailingCheckExits1(_ scenario: Scenario) async throws {
        let fleet = try await Self.start(scenario)
        atEnd { await fleet.stop() }
        let result = try await fleet.run("doctor", "--at", Self.afternoon, environment: Self.token(scenario.token))
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("FAILED   \(scenario.message)"), "\(result.stderr)")
        #expect(result.stderr.contains("preflight check failed: \(scenario.message)"), "the alert: \(result.stderr)")
        #expect(result.stderr.contains("Step: doctor \(scenario.check)"), "\(result.stderr)")
        #expect(result.stderr.contains("doctor: 10 checks:") && result.stderr.contains("1 FAILED"), "\(result.stderr)")
        for secret in [FakeHetzner.token, "hz-wrong-0000"] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "no token in the output")
        }
        if scenario.token == nil {
            #expect(result.stderr.contains("the environment variable TEST_HCLOUD_TOKEN is not set"), "\(result.stderr)")
            #expect(try await fleet.fake.requests().isEmpty, "no API call without a token")
        }
        let requests = try await fleet.fake.requests()
        #expect(requests.allSatisfy { $0.method == "GET" }, "doctor only reads")
    }

    @Test func aLeadShorterThanPastScaleUpsFails() async throws {
        let fleet = try await Self.start(Scenario(name: "lead", check: "", message: ""), controller: "lead_safety = \"50m\"")
        atEnd { await fleet.stop() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala 2", "--start", "2026-11-24 21:00", "--end", "2026-11-24 23:00").status == 0)
        let up = try await fleet.run("up", "--at", "2026-11-23T20:30")
        #expect(up.status == 0, "\(up)")
        let down = try await fleet.run("down", "--at", "2026-11-23T23:31")
        #expect(down.status == 0, "\(down)")
        try await fleet.fake.seedFleetImages(created: "2026-11-24T13:00:00+00:00")

        let result = try await fleet.run("doctor", "--at", "2026-11-24T16:30")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("FAILED   lead time: the lead 45m is shorter than the 50m"), "\(result.stderr)")
        #expect(result.stderr.contains("preflight check failed: lead time:"), "\(result.stderr)")
        #expect(result.stderr.contains("doctor: 10 checks: 9 ok, 0 warnings, 1 FAILED"), "only the lead: \(result.stderr)")
    }
}
