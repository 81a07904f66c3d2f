import Foundation
import ScaleTesting
import Testing

/// The real `scalectl` executable with `kind = "digitalocean"` against the fake API
/// (`Tests/Fakes/digitalocean_fake.py`): fleet `t` in fra1, 3 frontal behind `t-lb`, 2 celery.
struct DigitalOceanFleet {
    /// A token that must never show up in output, logs, errors, alerts or the database.
    static let token = "dop_v1_SECRET_4b9e2c7a1d3f5e60"
    static let during = "2026-11-23T20:30"  // the window of a 21:00-23:00 event with lead 45m
    static let after = "2026-11-23T23:31"
    static let environment = ["TEST_DO_TOKEN": token]

    let fake: FakeCloudAPI
    let directory: TemporaryDirectory
    let config: String

    static let standardRoles = """
        [roles.frontal]
        count = 3
        server_type = "s-2vcpu-4gb"
        snapshot = { name_prefix = "frontal-", max_age = "30h" }
        load_balancer = "t-lb"

        [roles.celery]
        count = 2
        server_type = "s-4vcpu-8gb"
        snapshot = { name_prefix = "celery-", max_age = "30h" }
        """

    /// - Parameters:
    ///   - snapshotRegions: where the seeded snapshots may be used.
    ///   - balancerTag: make `t-lb` a tag-based balancer with this tag.
    ///   - provider, extra: more lines for `[provider]`, and tables after the roles.
    static func start(
        snapshotRegions: [String] = ["fra1", "ams3"], balancerTag: String? = nil, roles: String = standardRoles, provider: String = "",
        extra: String = ""
    ) async throws -> DigitalOceanFleet {
        let fake = try await FakeCloudAPI.start("digitalocean_fake.py", token: token)
        var balancer: [String: Any] = ["name": "t-lb", "region": "fra1"]
        if let balancerTag { balancer["tag"] = balancerTag }
        try await fake.seed([
            "snapshots": [
                ["name": "frontal-2026-11-22", "created_at": "2026-11-22T13:00:00Z", "regions": snapshotRegions],
                ["name": "frontal-2026-11-23", "created_at": "2026-11-23T13:00:00Z", "regions": snapshotRegions],
                ["name": "celery-2026-11-23", "created_at": "2026-11-23T13:00:00Z", "regions": snapshotRegions],
            ],
            "load_balancers": [balancer],
        ])
        let directory = try TemporaryDirectory("scalectl-digitalocean")
        let config = try directory.write("scalectl.toml", """
            [controller]
            database = "state/scalectl.sqlite"
            fleet = "t"
            timezone = "Europe/Madrid"
            drain = "100ms"
            poll_interval = "100ms"
            boot_timeout = "20s"
            health_timeout = "10s"
            gone_timeout = "10s"

            [provider]
            kind = "digitalocean"
            endpoint = "\(fake.base)/v2"
            token_env = "TEST_DO_TOKEN"
            region = "fra1"
            tags = ["mihiluze"]
            per_page = 2
            action_poll_interval = "20ms"
            shutdown_timeout = "500ms"
            batch_window = "1s"
            backoff = "50ms"
            max_backoff = "200ms"
            \(provider)

            [provider.prices]
            "s-2vcpu-4gb" = { hourly = 0.03571, monthly = 24.00 }
            "s-4vcpu-8gb" = { hourly = 0.07143, monthly = 48.00 }

            \(roles)
            \(extra)
            """)
        let fleet = DigitalOceanFleet(fake: fake, directory: directory, config: config)
        let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00")
        #expect(added.status == 0, "\(added)")
        return fleet
    }

    func run(_ arguments: String..., environment: [String: String] = DigitalOceanFleet.environment) async throws -> CLIResult {
        try await CLI.run(arguments + ["--config", config], environment: environment)
    }

    /// The fake's droplets (deleted ones gone from it).
    func droplets() async throws -> [[String: Any]] { try await fake.state()["droplets"] as? [[String: Any]] ?? [] }

    func dropletNames() async throws -> [String] { try await droplets().compactMap { $0["name"] as? String }.sorted() }

    func stats() async throws -> [String: Int] { try await fake.state()["stats"] as? [String: Int] ?? [:] }

    /// Every byte the controller stored: the database and its journal files.
    func storedBytes() throws -> Data {
        let state = directory.file("state")
        return try FileManager.default.contentsOfDirectory(atPath: state).reduce(into: Data()) { data, name in
            data += FileManager.default.contents(atPath: "\(state)/\(name)") ?? Data()
        }
    }

    /// No output of `results` and no stored byte holds the token.
    func expectNoToken(_ results: [CLIResult], sourceLocation: SourceLocation = #_sourceLocation) throws {
        for result in results {
            #expect(!result.stdout.contains(Self.token) && !result.stderr.contains(Self.token), sourceLocation: sourceLocation)
        }
        let stored = try storedBytes()
        #expect(!stored.isEmpty, sourceLocation: sourceLocation)
        #expect(stored.range(of: Data(Self.token.utf8)) == nil, "the token is not in the database", sourceLocation: sourceLocation)
    }

    func stop() async {
        await fake.stop()
        directory.remove()
    }
}
