import Foundation
import ScaleTesting
import Testing

/// The request budget and secrets, on the whole command line against the fake API.
@Suite(.serialized, .awaitsCleanup)
struct DigitalOceanLimitsTests {
    typealias Fleet = DigitalOceanFleet

    /// The hourly budget is nearly spent (the `ratelimit-*` headers say so) and refills fast: calls are
    /// paced by the headers and never refused.
    @Test func callsArePacedByTheRateLimitHeaders() async throws {
        let fleet = try await Fleet.start()
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["rate_limit": ["limit": 5000, "per_second": 4, "remaining": 12]])
        let up = try await fleet.run("up", "--at", Fleet.during)
        #expect(up.status == 0, "\(up)")
        #expect(try await fleet.stats()["429"] == 0, "paced before the budget ran out")
        #expect(try await fleet.dropletNames().count == 5)
    }

    /// The per-minute burst limit answers 429 with `retry-after`: the calls wait and go through.
    @Test func aBurstLimit429IsWaitedOutWithRetryAfter() async throws {
        let fleet = try await Fleet.start()
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["burst": ["limit": 4, "per_second": 10, "remaining": 4], "retry_after": 1])
        let up = try await fleet.run("up", "--at", Fleet.during)
        #expect(up.status == 0, "\(up)")
        let refused = try await fleet.fake.requests().filter { $0.status == 429 }
        #expect(!refused.isEmpty, "the burst limit was hit")
        #expect(try await fleet.dropletNames().count == 5)
        #expect(try await fleet.fake.requests().count("POST", "/v2/droplets") - refused.filter { $0.is("POST", "/v2/droplets") }.count == 2,
                "each role created once")
    }

    /// The fake quotes the Authorization header in its error messages; the token reaches no output,
    /// log, database row or alert all the same.
    @Test func theTokenNeverAppearsInOutputLogsTheDatabaseOrAlerts() async throws {
        let fleet = try await Fleet.start()
        atEnd { await fleet.stop() }
        let hooks = try await FakeWebhookReceiver.start(in: fleet.directory)
        atEnd { await hooks.stop() }
        let config = try String(contentsOfFile: fleet.config, encoding: .utf8) + """

            [alerts.webhook]
            url = "\(hooks.url())"
            format = "json"
            """
        try config.write(toFile: fleet.config, atomically: true, encoding: .utf8)
        try await fleet.fake.faults([
            "echo_token": true,
            "rules": [["method": "POST", "path": "/v2/droplets", "status": 422, "code": "unprocessable_entity", "message": "refused", "times": 1]],
        ])
        var results: [CLIResult] = []
        for arguments in [
            ["up", "--verbose", "--at", Fleet.during], ["up", "--verbose", "--at", Fleet.during],
            ["status", "--verbose", "--json", "--at", Fleet.during], ["history", "--verbose", "--json"],
            ["doctor", "--verbose", "--at", Fleet.during], ["down", "--verbose", "--at", Fleet.after],
        ] {
            results.append(try await fleet.run(arguments[0], Array(arguments.dropFirst())))
        }
        #expect(results.map(\.status) == [1, 0, 0, 0, results[4].status, 0], "\(results)")
        #expect(results[0].stderr.contains("request authorized as"), "the echoed header reached the message, scrubbed: \(results[0].stderr)")
        let posts = try hooks.received()
        #expect(!posts.isEmpty, "the failure was alerted")
        for post in posts { #expect(!((post["body"] as? String) ?? "").contains(Fleet.token), "a webhook body holds the token") }
        try fleet.expectNoToken(results)
    }
}

extension DigitalOceanFleet {
    func run(_ command: String, _ arguments: [String]) async throws -> CLIResult {
        try await CLI.run([command] + arguments + ["--config", config], environment: Self.environment)
    }
}
