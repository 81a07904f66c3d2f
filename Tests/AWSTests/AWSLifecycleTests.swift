import Foundation
import ScaleTesting
import Testing

/// The real executable on the AWS provider against moto: `up`, `status`, `down`, checked through boto3.
@Suite(.serialized)
struct AWSLifecycleTests {
    static let secretKey = "wJalr-MOTO-SECRET-never-printed-9f3c"
    static let sessionToken = "FQoG-MOTO-SESSION-never-printed-77ab"

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    @Test func upStatusDownOnMoto() async throws {
        try await Moto.with { moto in
            let seed = try await moto.seed()
            let directory = try TemporaryDirectory("scalectl-aws")
            defer { directory.remove() }
            let config = try directory.write("scalectl.toml", """
                [controller]
                database = "scalectl.sqlite"
                fleet = "t"
                timezone = "UTC"
                drain = "100ms"
                poll_interval = "200ms"
                boot_timeout = "30s"
                health_timeout = "20s"
                gone_timeout = "20s"

                [provider]
                kind = "aws"
                region = "us-east-1"
                endpoint = "\(moto.endpoint)"
                subnet_id = "\(seed.subnet)"
                security_group_ids = [\(seed.groups.map { "\"\($0)\"" }.joined(separator: ", "))]
                backoff = "50ms"
                max_backoff = "200ms"

                [provider.prices]
                "t3.large" = 0.0832

                [roles.frontal]
                count = 2
                server_type = "t3.large"
                snapshot = { labels = "role=frontal", max_age = "1h" }
                load_balancer = "t-lb"

                [roles.celery]
                count = 1
                server_type = "t3.xlarge"
                snapshot = { labels = "role=celery", max_age = "1h" }
                """)
            let environment = [
                "AWS_ACCESS_KEY_ID": "AKIDMOTO", "AWS_SECRET_ACCESS_KEY": Self.secretKey, "AWS_SESSION_TOKEN": Self.sessionToken,
            ]
            var outputs: [String] = []
            func run(_ arguments: String...) async throws -> CLIResult {
                let result = try await CLI.run(arguments + ["--config", config, "--verbose"], environment: environment)
                outputs.append(result.stdout + result.stderr)
                return result
            }

            // The event is in 20 minutes, so its window (lead 45m) covers the real now: the AMIs moto
            // dated now are fresh, and `up` runs on the real clock.
            let start = Date() + 20 * 60
            let end = start + 3600
            let added = try await run("calendar", "add", "--name", "Gala", "--start", Self.iso(start), "--end", Self.iso(end))
            #expect(added.status == 0, "\(added)")

            let up = try await run("up")
            #expect(up.status == 0, "\(up)")
            #expect(up.stdout.contains("frontal: 2/2 running"), "\(up.stdout)")
            #expect(up.stdout.contains("frontal: 2/2 healthy on t-lb"), "\(up.stdout)")
            #expect(up.stdout.contains("celery: 1/1 running"), "\(up.stdout)")

            var described = try await moto.describe()
            let ours = described.instances.filter { $0.tags["scalectl-fleet"] == "t" }
            #expect(Set(ours.compactMap { $0.tags["Name"] }) == ["t-frontal-1-1", "t-frontal-1-2", "t-celery-1-1"])
            #expect(ours.allSatisfy { $0.state == "running" })
            for instance in ours {
                let role = try #require(instance.tags["scalectl-role"])
                #expect(instance.image == seed.images[role], "\(instance.tags)")
                #expect(instance.type == (role == "frontal" ? "t3.large" : "t3.xlarge"))
                #expect(instance.tags["scalectl-event"] == "1" && instance.tags["scalectl-run"] != nil, "\(instance.tags)")
                #expect(instance.subnet == seed.subnet, "provider.subnet_id reached RunInstances")
                #expect(Set(instance.security_groups) == Set(seed.groups), "provider.security_group_ids reached RunInstances")
            }
            let stranger = try #require(described.instance(seed.stranger))
            #expect(stranger.subnet != seed.subnet && !stranger.security_groups.contains { seed.groups.contains($0) }, "moto's default placement differs")
            let frontalIDs = Set(ours.filter { $0.tags["scalectl-role"] == "frontal" }.map(\.id))
            let registered = described.targets.filter { $0.group == "t-lb" }
            #expect(Set(registered.map(\.id)) == frontalIDs)
            #expect(registered.allSatisfy { $0.state == "healthy" })

            let again = try await run("up", "--json")
            #expect(again.status == 0, "\(again)")
            #expect(try again.json()["created"] as? [String] == [], "a second up creates nothing")

            let status = try await run("status", "--json")
            #expect(status.status == 0, "\(status)")
            let roles = try #require(try status.json()["roles"] as? [String: [String: Any]])
            let frontal = try #require(roles["frontal"]?["nodes"] as? [[String: Any]])
            #expect(frontal.map { $0["name"] as? String } == ["t-frontal-1-1", "t-frontal-1-2"])
            #expect(frontal.allSatisfy { $0["state"] as? String == "running" && $0["lb"] as? String == "healthy" })
            #expect(Set(frontal.compactMap { $0["id"] as? String }) == frontalIDs)

            let down = try await run("down", "--at", Self.iso(end + 31 * 60))
            #expect(down.status == 0, "\(down)")
            #expect(down.stdout.contains("deleted 3 nodes, none left"), "\(down.stdout)")

            described = try await moto.describe()
            #expect(described.instances.filter { $0.tags["scalectl-fleet"] == "t" }.allSatisfy { $0.state == "terminated" })
            #expect(described.targets.filter { $0.group == "t-lb" }.isEmpty, "deregistered")
            #expect(described.instance(seed.stranger)?.state == "running", "an instance without the fleet tag is never touched")

            for text in outputs {
                #expect(!text.contains(Self.secretKey) && !text.contains(Self.sessionToken))
            }
            for file in ["scalectl.sqlite", "scalectl.sqlite-wal"] {
                guard let data = FileManager.default.contents(atPath: directory.file(file)) else { continue }
                #expect(data.range(of: Data(Self.secretKey.utf8)) == nil && data.range(of: Data(Self.sessionToken.utf8)) == nil, "\(file)")
            }
        }
    }

    @Test(arguments: [
        ("", "", "AWS_SECRET_ACCESS_KEY is not set"),
        ("subnet_id = \"subnet-0a1\"\nsubnet_ids = [\"subnet-0a1\", \"subnet-0b2\"]", "secret",
         "provider.subnet_ids: give subnet_id or subnet_ids, not both"),
    ])
    func aConfigurationErrorExitsTwo(_ provider: String, _ secretKey: String, _ message: String) async throws {
        let directory = try TemporaryDirectory("scalectl-aws")
        defer { directory.remove() }
        let config = try directory.write("scalectl.toml", """
            [controller]
            fleet = "t"
            timezone = "UTC"

            [provider]
            kind = "aws"
            region = "us-east-1"
            endpoint = "http://127.0.0.1:9"
            \(provider)

            [roles.frontal]
            count = 1
            server_type = "t3.large"
            snapshot = { labels = "role=frontal" }
            """)
        let result = try await CLI.run(
            ["status", "--config", config], environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": secretKey])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
