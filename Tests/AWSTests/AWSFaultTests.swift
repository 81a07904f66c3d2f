import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// The AWS provider through a fault-injecting proxy in front of moto (`Tests/Fakes/aws_fault_proxy.py`):
/// 5xx, lost answers, a connection dropped before the request arrived, `RequestLimitExceeded` on
/// `TerminateInstances`, a hand-made duplicate, and an error message echoing the secret key.
@Suite(.serialized, .awaitsCleanup)
struct AWSFaultTests {
    static let secretKey = "wJalr-PROXY-SECRET-never-printed-4e1d"

    @Test func theFirstDownSucceedsThroughThrottlesLostAnswersAndADuplicate() async throws {
        try await Moto.with { moto in
            _ = try await moto.seed()
            let proxy = try await FaultProxy.start(before: moto)
            let directory = try TemporaryDirectory("scalectl-aws-faults")
            defer { directory.remove() }
            let config = try Moto.writeConfig(in: directory, endpoint: proxy.endpoint, provider: "breaker_after = 4", """
                [roles.frontal]
                count = 2
                server_type = "t3.large"
                snapshot = { labels = "role=frontal", max_age = "1h" }
                load_balancer = "t-lb"

                [roles.celery]
                count = 3
                server_type = "t3.xlarge"
                snapshot = { labels = "role=celery", max_age = "1h" }
                """)
            var outputs: [String] = []
            func run(_ arguments: String...) async throws -> CLIResult {
                let result = try await CLI.run(
                    arguments + ["--config", config], environment: ["AWS_ACCESS_KEY_ID": "AKIDPROXY", "AWS_SECRET_ACCESS_KEY": Self.secretKey])
                outputs.append(result.stdout + result.stderr)
                return result
            }
            let start = Date() + 20 * 60
            let end = start + 3600
            #expect(try await run("calendar", "add", "--name", "Gala", "--start", start.formatted(.iso8601), "--end", end.formatted(.iso8601)).status == 0)

            try await proxy.set(["seed": 17, "error_rate": 0.1, "lost_rate": 0.05, "echo": "(signed with \(Self.secretKey))"])
            let up = try await run("up")
            #expect(up.status == 0, "the first up succeeds at 10 % 5xx and 5 % lost answers: \(up)")

            // A console "launch more like this" copies one of our nodes, tags and all.
            _ = try await TestPython.run("moto_tool.py", ["duplicate", moto.endpoint, "t-celery-1-1"])
            try await proxy.set([
                "error_rate": 0.0, "lost_rate": 0.0,
                "rules": [
                    ["action": "TerminateInstances", "status": 503, "code": "RequestLimitExceeded", "times": 8],
                    ["action": "TerminateInstances", "lost": true, "times": 1],
                    ["action": "DescribeInstances", "drop": true, "times": 1],
                    ["action": "DeregisterTargets", "status": 500, "code": "InternalError", "times": 1],
                ],
            ])
            let clock = ContinuousClock.now
            let down = try await run("down", "--at", (end + 31 * 60).formatted(.iso8601))
            #expect(down.status == 0, "the first down succeeds: \(down)")
            #expect(ContinuousClock.now - clock < .seconds(60), "no stall")

            let described = try await moto.describe()
            let ours = described.instances.filter { $0.tags["scalectl-fleet"] == "t" }
            #expect(ours.count == 6 && ours.allSatisfy { $0.state == "terminated" }, "nothing left billing, the copy included")
            let done = try await proxy.log().compactMap { $0["done"] }
            #expect(done.filter { $0 == "injected RequestLimitExceeded" }.count == 8, "the throttles fired: \(done)")
            #expect(done.contains("lost") && done.contains("dropped"), "the lost answer and the dropped request fired")
            for text in outputs { #expect(!text.contains(Self.secretKey), "\(text)") }
            for file in ["scalectl.sqlite", "scalectl.sqlite-wal"] {
                guard let data = FileManager.default.contents(atPath: directory.file(file)) else { continue }
                #expect(data.range(of: Data(Self.secretKey.utf8)) == nil, "no secret in \(file)")
            }
        }
    }
}
