import Foundation
import GRDB
import ScaleTesting
import Testing

/// A fleet `t` of `frontal` (behind `t-lb`) and `celery` nodes on the fake Hetzner API, run through the
/// real `scalectl` executable, with the fake's fault knobs at hand. The event runs 21:00-23:00 on
/// 2026-11-23 with a 45-minute lead.
struct FaultFleet {
    static let during = "2026-11-23T20:30"
    static let after = "2026-11-23T23:31"
    static let environment = ["TEST_HCLOUD_TOKEN": FakeHetzner.token]

    let fake: FakeHetzner
    let directory: TemporaryDirectory
    let config: String
    let frontal: Int
    let celery: Int

    /// - Parameters:
    ///   - faults: the fake's knobs (see `Tests/Fakes/hetzner_faults.py`), set before the first run.
    ///   - provider: extra lines for the `[provider]` table.
    static func start(frontal: Int = 3, celery: Int = 2, perPage: Int = 25, faults: [String: Any] = [:], provider: String = "") async throws -> FaultFleet {
        let fake = try await FakeHetzner.start()
        try await fake.seedFleetImages()
        try await fake.seed(["load_balancers": [["name": "t-lb"]]])
        let directory = try TemporaryDirectory("scalectl-faults")
        let config = try directory.write("scalectl.toml", """
            [controller]
            database = "state/scalectl.sqlite"
            fleet = "t"
            timezone = "Europe/Madrid"
            drain = "50ms"
            poll_interval = "50ms"
            boot_timeout = "20s"
            health_timeout = "10s"
            gone_timeout = "10s"
            concurrency = 10

            [provider]
            kind = "hetzner"
            endpoint = "\(fake.endpoint)"
            token_env = "TEST_HCLOUD_TOKEN"
            location = "nbg1"
            per_page = \(perPage)
            action_poll_interval = "30ms"
            shutdown_timeout = "1s"
            request_timeout = "5s"
            backoff = "20ms"
            max_backoff = "200ms"
            \(provider)

            [roles.frontal]
            count = \(frontal)
            server_type = "cpx31"
            snapshot = { labels = "role=frontal", max_age = "30h" }
            load_balancer = "t-lb"

            [roles.celery]
            count = \(celery)
            server_type = "cpx41"
            snapshot = { labels = "role=celery", max_age = "30h" }
            """)
        let fleet = FaultFleet(fake: fake, directory: directory, config: config, frontal: frontal, celery: celery)
        let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00")
        #expect(added.status == 0, "\(added)")
        if !faults.isEmpty { try await fake.faults(faults) }
        return fleet
    }

    func run(_ arguments: String...) async throws -> CLIResult {
        try await CLI.run(arguments + ["--config", config], environment: Self.environment)
    }

    /// Runs `arguments` and has the fake kill it with SIGKILL at one of its next `within` API requests
    /// (drawn from the fault seed); the knob is cleared afterwards, so it can never hit a later process.
    func killed(within: Int, _ arguments: String...) async throws -> CLIResult {
        try await fake.faults(["kill": ["within": within]])
        let result = try await CLI.run(arguments + ["--config", config], environment: Self.environment)
        try await fake.faults(["kill": NSNull()])
        return result
    }

    /// The controller's ledger: the nodes it knows to exist (not gone), and how many are still pending.
    func ledger() throws -> (open: [String], pending: Int) {
        try DatabaseQueue(path: directory.file("state/scalectl.sqlite")).read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM ledgerNode WHERE goneAt IS NULL ORDER BY name"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM ledgerNode WHERE state = 'pending'") ?? 0)
        }
    }

    /// Runs and steps of the controller's journal still marked running.
    func running() throws -> Int {
        try DatabaseQueue(path: directory.file("state/scalectl.sqlite")).read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT count(*) FROM run WHERE outcome = 'running') + (SELECT count(*) FROM step WHERE outcome = 'running')") ?? 0
        }
    }

    func up() async throws -> CLIResult { try await run("up", "--at", Self.during) }
    func down() async throws -> CLIResult { try await run("down", "--at", Self.after) }

    /// What the fake served so far: requests, 429, 5xx, lost, truncated, conflicts.
    func stats() async throws -> [String: Int] {
        try await fake.state()["stats"] as? [String: Int] ?? [:]
    }

    /// The fake's servers as (name, status, fleet label).
    func servers() async throws -> [(name: String, status: String, fleet: String?)] {
        let servers = try await fake.state()["servers"] as? [[String: Any]] ?? []
        return servers.map {
            ($0["name"] as? String ?? "", $0["status"] as? String ?? "", ($0["labels"] as? [String: String])?["scalectl-fleet"])
        }
    }

    /// Every byte the controller stored: the database and its journal files.
    func storedBytes() throws -> Data {
        let state = directory.file("state")
        return try FileManager.default.contentsOfDirectory(atPath: state).reduce(into: Data()) { data, name in
            data += FileManager.default.contents(atPath: "\(state)/\(name)") ?? Data()
        }
    }

    func stop() async {
        await fake.stop()
        directory.remove()
    }
}
