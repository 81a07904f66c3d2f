import Foundation
import ScaleTesting
import Testing

/// Issue 18 on AWS: the real executable against moto, with the fault proxy answering `RunInstances`
/// with `InsufficientInstanceCapacity` for chosen instance types and subnets (moto always has room),
/// and keeping EC2's `ClientToken` rule (moto ignores tokens). Two subnets in two zones,
/// `subnet_ids = [a, b]`, a role with `server_types = ["t3.small", "t3.medium"]`.
@Suite(.serialized, .awaitsCleanup)
struct AWSFallbackTests {
    /// Far apart, so that a node priced at the wrong type cannot pass for the right one.
    static let prices = ["t3.small": 1.0, "t3.medium": 1000.0]

    /// AWS's words for a type sold out in a zone.
    static func insufficient(_ type: String, in zone: String) -> String {
        "We currently do not have sufficient \(type) capacity in the Availability Zone you requested (\(zone)). Our system will be"
            + " working on provisioning additional capacity. You can currently get \(type) capacity by not specifying an"
            + " Availability Zone in your request or choosing another zone."
    }

    /// A fleet of `count` frontal nodes through the proxy, an event whose window covers now, and a
    /// runner that keeps every output.
    struct Fleet {
        let moto: Moto
        let proxy: FaultProxy
        let subnets: [Moto.Subnet]
        let directory: TemporaryDirectory
        let config: String
        let end: Date

        static func start(_ moto: Moto, count: Int) async throws -> Fleet {
            _ = try await moto.seed()
            let subnets = try await moto.subnets()
            let proxy = try await FaultProxy.start(before: moto)
            let directory = try TemporaryDirectory("scalectl-aws-fallback")
            let config = try Moto.writeConfig(
                in: directory, endpoint: proxy.endpoint,
                controller: "concurrency = 1   # one create at a time: the second node sees what the first found sold out",
                provider: "subnet_ids = [\"\(subnets[0].id)\", \"\(subnets[1].id)\"]", """
                [provider.prices]
                \(AWSFallbackTests.prices.map { "\"\($0.key)\" = \($0.value)" }.sorted().joined(separator: "\n"))

                [roles.frontal]
                count = \(count)
                server_types = ["t3.small", "t3.medium"]
                snapshot = { labels = "role=frontal", max_age = "1h" }
                """)
            let start = Date() + 20 * 60
            let fleet = Fleet(moto: moto, proxy: proxy, subnets: subnets, directory: directory, config: config, end: start + 3600)
            let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", start.formatted(.iso8601), "--end", fleet.end.formatted(.iso8601))
            #expect(added.status == 0, "\(added)")
            return fleet
        }

        func run(_ arguments: String...) async throws -> CLIResult {
            try await CLI.run(
                arguments + ["--config", config], environment: ["AWS_ACCESS_KEY_ID": "AKIDFALLBACK", "AWS_SECRET_ACCESS_KEY": "fallback-secret"])
        }

        /// Makes `type` sold out in the given subnets (every subnet when nil); tokens are checked as EC2 does.
        func soldOut(_ type: String, in subnets: [Moto.Subnet]?) async throws {
            let places: [Moto.Subnet?] = subnets?.map { $0 } ?? [nil]
            let rules: [[String: Any]] = places.map { subnet in
                [
                    "action": "RunInstances", "status": 500, "code": "InsufficientInstanceCapacity",
                    "match": ["InstanceType": type].merging(subnet.map { ["SubnetId": $0.id] } ?? [:]) { $1 },
                    "message": AWSFallbackTests.insufficient(type, in: subnet?.zone ?? "us-east-1a"),
                ]
            }
            try await proxy.set(["idempotency": true, "rules": rules])
        }

        /// The `RunInstances` requests the proxy saw: type, subnet and what it did.
        func launches() async throws -> [(type: String, subnet: String, done: String)] {
            try await proxy.log().filter { $0["action"] == "RunInstances" }.map { ($0["InstanceType"] ?? "", $0["SubnetId"] ?? "", $0["done"] ?? "") }
        }

        /// The fleet's instances as boto3 describes them.
        func instances() async throws -> [Moto.Instance] {
            try await moto.describe().instances.filter { $0.tags["scalectl-fleet"] == "t" }
        }
    }

    @Test func theFirstTypeSoldOutInTheFirstSubnetRunsInTheSecond() async throws {
        try await Moto.with { moto in
            let fleet = try await Fleet.start(moto, count: 1)
            defer { fleet.directory.remove() }
            let (a, b) = (fleet.subnets[0], fleet.subnets[1])
            #expect(a.zone != b.zone)
            try await fleet.soldOut("t3.small", in: [a])

            // doctor reads the region's offerings: a zone's capacity is not something it can see.
            let doctor = try await fleet.run("doctor", "--json")
            let checks = try #require(try doctor.json()["checks"] as? [[String: Any]], "\(doctor)")
            for type in ["t3.small", "t3.medium"] {
                let check = try #require(checks.first { $0["id"] as? String == "server-type.\(type)" }, "\(checks)")
                #expect(check["status"] as? String == "ok", "\(check)")
                let detail = check["detail"] as? String ?? ""
                #expect(detail.contains("the zone of \(a.id) is not checked") && detail.contains("the zone of \(b.id) is not checked"), "\(check)")
            }

            let up = try await fleet.run("up")
            #expect(up.status == 0, "\(up)")
            #expect(!(up.stdout + up.stderr).contains("IdempotentParameterMismatch"), "\(up)")
            let launches = try await fleet.launches()
            #expect(launches.map { "\($0.type) \($0.subnet) \($0.done)" } == [
                "t3.small \(a.id) injected InsufficientInstanceCapacity",
                "t3.small \(b.id) forwarded",
            ], "the preferred type in the next subnet, as a new request (its own ClientToken)")

            let instances = try await fleet.instances()
            #expect(instances.count == 1, "\(instances)")
            let instance = try #require(instances.first)
            #expect(instance.state == "running" && instance.type == "t3.small", "\(instance)")
            #expect(instance.subnet == b.id && instance.zone == b.zone, "\(instance)")

            let status = try await fleet.run("status")
            #expect(status.stdout.contains("t3.small in \(b.zone)"), "\(status)")
            let json = try await fleet.run("status", "--json")
            let roles = try #require(try json.json()["roles"] as? [String: [String: Any]])
            let node = try #require((roles["frontal"]?["nodes"] as? [[String: Any]])?.first)
            #expect(node["server_type"] as? String == "t3.small" && node["location"] as? String == b.zone, "\(node)")
        }
    }

    @Test func theFirstTypeSoldOutEverywhereRunsTheSecondWithoutAskingTwice() async throws {
        try await Moto.with { moto in
            let fleet = try await Fleet.start(moto, count: 2)
            defer { fleet.directory.remove() }
            let (a, b) = (fleet.subnets[0], fleet.subnets[1])
            try await fleet.soldOut("t3.small", in: nil)

            let up = try await fleet.run("up")
            #expect(up.status == 0, "\(up)")
            let launches = try await fleet.launches()
            #expect(launches.map { "\($0.type) \($0.subnet) \($0.done)" } == [
                "t3.small \(a.id) injected InsufficientInstanceCapacity",
                "t3.small \(b.id) injected InsufficientInstanceCapacity",
                "t3.medium \(a.id) forwarded",
                "t3.medium \(a.id) forwarded",
            ], "the second node goes straight to what was not sold out in this run")

            let instances = try await fleet.instances()
            #expect(instances.count == 2, "\(instances)")
            for instance in instances {
                #expect(instance.state == "running" && instance.type == "t3.medium", "\(instance)")
                #expect(instance.subnet == a.id && instance.zone == a.zone, "the preferred subnet for the fallback type: \(instance)")
            }

            let down = try await fleet.run("down", "--at", (fleet.end + 31 * 60).formatted(.iso8601))
            #expect(down.status == 0, "\(down)")
            let after = try await fleet.instances()
            #expect(after.count == 2 && after.allSatisfy { $0.state == "terminated" }, "nothing left running: \(after)")

            let cost = try await fleet.run("cost", "--json")
            #expect(cost.status == 0, "\(cost)")
            let events = try #require(try cost.json()["events"] as? [[String: Any]])
            let nodes = events.flatMap { $0["nodes"] as? [[String: Any]] ?? [] }
            #expect(nodes.count == 2, "\(cost.stdout)")
            for node in nodes {
                #expect(node["server_type"] as? String == "t3.medium", "\(node)")
                let hours = try #require(node["hours"] as? Double)
                let money = try #require(node["cost"] as? Double)
                #expect(hours > 0.5, "billed from the create to the down an hour later: \(node)")
                #expect(abs(money - hours * Self.prices["t3.medium"]!) <= 0.01 * money, "priced at t3.medium: \(node)")
            }
        }
    }

    @Test func theInstanceLimitEndsTheSearch() async throws {
        try await Moto.with { moto in
            let fleet = try await Fleet.start(moto, count: 2)
            defer { fleet.directory.remove() }
            let a = fleet.subnets[0]
            try await fleet.proxy.set(["idempotency": true, "rules": [[
                "action": "RunInstances", "status": 400, "code": "InstanceLimitExceeded",
                "message": "You have requested more instances (21) than your current instance limit of 20 allows for the specified instance type.",
            ]]])

            let up = try await fleet.run("up")
            #expect(up.status == 1, "\(up)")
            #expect(up.stderr.contains("the server limit is reached"), "\(up.stderr)")
            let launches = try await fleet.launches()
            #expect(launches.map { "\($0.type) \($0.subnet) \($0.done)" } == [
                "t3.small \(a.id) injected InstanceLimitExceeded",
                "t3.small \(a.id) injected InstanceLimitExceeded",
            ], "no other type or zone is tried under the account's limit")
            #expect(try await fleet.instances().isEmpty)
        }
    }
}
