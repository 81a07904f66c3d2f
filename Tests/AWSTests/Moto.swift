import Foundation
import Logging
import ScaleCore
import ScaleProviders
import ScaleTesting

/// A moto server on a free loopback port, seeded and inspected through boto3 (`Tests/Fakes/moto_tool.py`),
/// so the checks do not go through the code under test.
struct Moto: Sendable {
    struct Seed: Decodable, Sendable {
        var vpc: String
        var target_group_arn: String
        var images: [String: String]
        var stranger: String
        /// A subnet of the VPC other than its default ones.
        var subnet: String
        /// Two security groups of the VPC.
        var groups: [String]
    }

    struct Instance: Decodable, Sendable {
        var id: String
        var state: String
        var type: String
        var image: String
        var tags: [String: String]
        var subnet: String?
        /// `Placement.AvailabilityZone`.
        var zone: String?
        var security_groups: [String]
    }

    struct Subnet: Decodable, Sendable {
        var id: String
        var zone: String
    }

    struct Target: Decodable, Sendable {
        var group: String
        var id: String
        var state: String
    }

    struct Described: Decodable, Sendable {
        var instances: [Instance]
        var targets: [Target]

        func instance(_ id: String) -> Instance? { instances.first { $0.id == id } }
        func named(_ name: String) -> [Instance] { instances.filter { $0.tags["Name"] == name } }
    }

    let server: ServerProcess

    static func start() async throws -> Moto {
        Moto(server: try await ServerProcess.start("exec \(try TestTools.venv("moto_server")) -H 127.0.0.1 -p {port}"))
    }

    /// Runs `body` with a fresh server, stopped afterwards whether `body` throws or not.
    static func with(_ body: (Moto) async throws -> Void) async throws {
        let moto = try await start()
        do {
            try await body(moto)
        } catch {
            await moto.stop()
            throw error
        }
        await moto.stop()
    }

    var endpoint: String { "http://127.0.0.1:\(server.port)" }

    func stop() async { await server.stop() }

    /// Creates the default VPC's target group `t-lb`, one tagged image per role (`role=frontal`,
    /// `role=celery`), and a running instance named `stranger` without the fleet's tags.
    func seed() async throws -> Seed {
        try JSONDecoder().decode(Seed.self, from: try await TestPython.run("moto_tool.py", ["seed", endpoint]))
    }

    /// Two new subnets of the default VPC, in `us-east-1a` and `us-east-1b`.
    func subnets() async throws -> [Subnet] {
        struct Answer: Decodable { var subnets: [Subnet] }
        return try JSONDecoder().decode(Answer.self, from: try await TestPython.run("moto_tool.py", ["subnets", endpoint])).subnets
    }

    /// Every instance (terminated ones too) with its tags, and every target group's targets with their health.
    func describe() async throws -> Described {
        try JSONDecoder().decode(Described.self, from: try await TestPython.run("moto_tool.py", ["describe", endpoint]))
    }

    /// `scalectl.toml` in `directory` for fleet `t` on AWS at `endpoint` (moto or a proxy in front of it),
    /// with quick test timings: `controller` and `provider` add lines to those tables, `rest` follows
    /// (prices, roles).
    static func writeConfig(in directory: TemporaryDirectory, endpoint: String, controller: String = "", provider: String = "", _ rest: String) throws -> String {
        try directory.write("scalectl.toml", """
            [controller]
            database = "scalectl.sqlite"
            fleet = "t"
            timezone = "UTC"
            drain = "50ms"
            poll_interval = "100ms"
            boot_timeout = "30s"
            health_timeout = "20s"
            gone_timeout = "20s"
            \(controller)

            [provider]
            kind = "aws"
            region = "us-east-1"
            endpoint = "\(endpoint)"
            backoff = "20ms"
            max_backoff = "200ms"
            \(provider)

            \(rest)
            """)
    }

    /// The provider under test, pointed at this server with fake credentials.
    func cloud(fleet: String = "t", pageSize: Int = 500, subnetID: String? = nil, securityGroupIDs: [String] = []) -> AWSCloud {
        AWSCloud(
            fleet: fleet,
            settings: AWSSettings(region: "us-east-1", endpoint: URL(string: endpoint), subnetID: subnetID, securityGroupIDs: securityGroupIDs),
            region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: Secret("AKIDTEST"), secretAccessKey: Secret("not-a-real-secret")),
            pageSize: pageSize, logger: TestTools.quietLogger)
    }
}
