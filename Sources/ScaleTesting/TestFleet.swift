import Foundation

/// A configuration on the sim provider with fast latencies in a temporary directory, for end-to-end tests.
///
/// Front-ends run a real HTTP server per node (probed over HTTP and watched by the simulated load
/// balancer); workers a real TCP listener (probed over TCP).
public struct TestFleet: Sendable {
    public let directory: TemporaryDirectory
    public let config: String

    public init(
        fleet: String = "t", frontal: Int = 3, celery: Int = 2, bootTime: String = "300ms", lead: String = "45m",
        margin: String = "30m", within: String = "20s", frontalKeys: String = "", celeryBoot: String? = nil,
        celeryReady: String? = nil, extraProvider: String = "",
        extraController: String = "", extraRoles: String = ""
    ) throws {
        directory = try TemporaryDirectory("scalectl-e2e")
        config = try directory.write("scalectl.toml", """
            [controller]
            database = "state/scalectl.sqlite"
            fleet = "\(fleet)"
            timezone = "Europe/Madrid"
            lead = "\(lead)"
            margin = "\(margin)"
            drain = "100ms"
            poll_interval = "100ms"
            probe_interval = "100ms"
            boot_timeout = "30s"
            health_timeout = "20s"
            gone_timeout = "20s"
            \(extraController)

            [provider]
            kind = "sim"
            api_latency = "2ms"
            boot_time = "\(bootTime)"
            boot_spread = "200ms"
            health_delay = "200ms"
            delete_time = "200ms"
            backoff = "50ms"
            max_backoff = "200ms"
            \(extraProvider)

            [provider.roles.frontal]
            boot_command = "exec \(TestTools.python) -m http.server {port} --bind {private_ip}"

            [provider.roles.celery]
            boot_command = "\(celeryBoot ?? "exec \(TestTools.python) -m http.server {port} --bind {private_ip}")"

            [roles.frontal]
            count = \(frontal)
            server_type = "cpx31"
            snapshot = { labels = "role=frontal", max_age = "30h" }
            load_balancer = "\(fleet)-lb"
            ready = { http = "http://{private_ip}:{port}/", within = "\(within)" }
            \(frontalKeys)

            [roles.celery]
            count = \(celery)
            server_type = "cpx41"
            snapshot = { labels = "role=celery", max_age = "30h" }
            ready = { \(celeryReady ?? "tcp = \"{private_ip}:{port}\", within = \"\(within)\"") }
            \(extraRoles)
            """)
    }

    /// The database file the configuration names.
    public var database: String { directory.file("state/scalectl.sqlite") }

    /// The sim cloud's own state file (its default place, beside the database).
    public var simState: String { directory.file("state/scalectl-sim.sqlite") }

    /// Runs `scalectl` with this configuration.
    public func run(_ arguments: String..., environment: [String: String] = [:]) async throws -> CLIResult {
        try await CLI.run(arguments + ["--config", config], environment: environment)
    }

    public func start(_ arguments: String..., environment: [String: String] = [:]) throws -> CLIProcess {
        try CLIProcess.start(arguments + ["--config", config], environment: environment)
    }

    /// `status --json` at `at`: role name → the nodes' names and states.
    public func nodes(at: String, environment: [String: String] = [:]) async throws -> [String: [(name: String, state: String, ready: Bool, lb: String?)]] {
        let result = try await run("status", "--json", "--at", at, environment: environment)
        guard result.status == 0 else { throw CLIError(description: "status failed: \(result)") }
        let roles = try result.json()["roles"] as? [String: [String: Any]] ?? [:]
        return roles.mapValues { role in
            (role["nodes"] as? [[String: Any]] ?? []).map {
                ($0["name"] as? String ?? "", $0["state"] as? String ?? "", $0["ready"] as? Bool ?? false, $0["lb"] as? String)
            }
        }
    }

    /// Tears down whatever is left and removes the directory; for the end of a test.
    public func cleanUp() async {
        _ = try? await run("down", "--force", "--quiet", "--at", "2030-01-01T00:00Z")
        directory.remove()
    }
}
