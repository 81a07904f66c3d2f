import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// The provider against a real moto server: every call is a signed HTTP request, every check reads
/// moto's state through boto3.
@Suite(.serialized)
struct AWSCloudTests {
    static func spec(_ name: String, role: String = "frontal", image: String, run: String = "7") -> NodeSpec {
        NodeSpec(
            name: name, role: role, serverType: "t3.large", snapshot: Snapshot(id: image, name: "\(role)-daily", createdAt: Date()),
            labels: [
                OwnershipLabel.fleet: "t", OwnershipLabel.role: role, OwnershipLabel.event: "1", OwnershipLabel.run: run,
            ])
    }

    @Test func snapshotIsTheNewestOwnedImageWithTheRoleTags() async throws {
        try await Moto.with { moto in
            let seed = try await moto.seed()
            let cloud = moto.cloud()

            let frontal = try #require(try await cloud.newestSnapshot(role: "frontal", selector: "role=frontal"))
            #expect(frontal.id == seed.images["frontal"])
            #expect(frontal.name == "frontal-daily")
            #expect(abs(frontal.createdAt.timeIntervalSinceNow) < 600)
            #expect(try await cloud.newestSnapshot(role: "celery", selector: "role = celery")?.id == seed.images["celery"])
            #expect(try await cloud.newestSnapshot(role: "frontal", selector: "role=frontal,tier=web") == nil)
            #expect(try await cloud.newestSnapshot(role: "web", selector: "role=web") == nil, "moto's preloaded public images are not ours")
            await #expect(throws: ProviderError.self) { try await cloud.newestSnapshot(role: "frontal", selector: "role") }
        }
    }

    @Test func createListAttachDetachAndDeleteOnlyOwnInstances() async throws {
        try await Moto.with { moto in
            let seed = try await moto.seed()
            let cloud = moto.cloud()
            let image = try #require(seed.images["frontal"])

            let first = try await cloud.createNode(Self.spec("t-frontal-1-1", image: image))
            let second = try await cloud.createNode(Self.spec("t-frontal-1-2", image: image))
            #expect(first.name == "t-frontal-1-1" && first.id.hasPrefix("i-"))
            #expect([NodeState.creating, .running].contains(first.state))

            var described = try await moto.describe()
            let launched = try #require(described.instance(first.id))
            #expect(launched.image == image && launched.type == "t3.large")
            #expect(launched.tags == [
                "Name": "t-frontal-1-1", "scalectl-fleet": "t", "scalectl-role": "frontal", "scalectl-event": "1", "scalectl-run": "7",
            ])

            let listed = try await cloud.listNodes()
            #expect(Set(listed.map(\.name)) == ["t-frontal-1-1", "t-frontal-1-2"], "the stranger and terminated image sources are not listed")
            #expect(listed.allSatisfy { $0.state == .running && $0.role == "frontal" && $0.privateIP != nil && $0.serverType == "t3.large" })
            #expect(try await cloud.node(named: "t-frontal-1-2")?.id == second.id)
            let stranger = try #require(try await cloud.node(named: "stranger"))
            #expect(stranger.id == seed.stranger && stranger.fleet == nil)
            #expect(try await cloud.node(named: "t-frontal-1-9") == nil)

            try await cloud.attach([first, second], role: "frontal", to: "t-lb")
            described = try await moto.describe()
            #expect(Set(described.targets.filter { $0.group == "t-lb" }.map(\.id)) == [first.id, second.id])
            #expect(try await cloud.members(of: "t-lb", role: "frontal") == [first.id: .healthy, second.id: .healthy])
            #expect(try await cloud.members(of: seed.target_group_arn, role: "frontal").count == 2, "an ARN names the group too")
            #expect(try await cloud.members(of: "t-lb", role: "celery").isEmpty, "only the role's own instances")

            try await cloud.detach([first, second], role: "frontal", from: "t-lb")
            #expect(try await cloud.members(of: "t-lb", role: "frontal").isEmpty)

            await #expect(throws: ProviderError.self) { try await cloud.deleteNode(stranger) }
            for node in listed { try await cloud.deleteNode(node) }
            try await cloud.deleteNode(listed[0])  // already terminated: not an error
            #expect(try await cloud.listNodes().isEmpty)
            described = try await moto.describe()
            #expect(described.instance(first.id)?.state == "terminated" && described.instance(second.id)?.state == "terminated")
            #expect(described.instance(seed.stranger)?.state == "running")
        }
    }

    @Test func listingFollowsPageTokens() async throws {
        try await Moto.with { moto in
            let seed = try await moto.seed()
            let cloud = moto.cloud(pageSize: 5)
            let image = try #require(seed.images["celery"])
            for index in 1...7 { _ = try await cloud.createNode(Self.spec("t-celery-1-\(index)", role: "celery", image: image)) }
            let names = try await cloud.listNodes().map(\.name)
            #expect(names.count == 7)
            #expect(Set(names) == Set((1...7).map { "t-celery-1-\($0)" }))
        }
    }

    @Test func errorsNameTheCodeTheRequestAndWhatToDo() async throws {
        try await Moto.with { moto in
            let cloud = moto.cloud()
            let node = Node(id: "i-0123456789abcdef0", name: "t-frontal-1-1", state: .running, labels: [OwnershipLabel.fleet: "t"])

            let missing = await #expect(throws: ProviderError.self) { try await cloud.attach([node], role: "frontal", to: "no-such-lb") }
            #expect(missing?.code == "TargetGroupNotFound")
            #expect(missing?.operation == "attach 1 frontal nodes to no-such-lb")
            #expect(missing?.retry == ProviderError.Retry.no)
            #expect(missing?.status == 400)
            #expect(missing?.requestID?.isEmpty == false)
            #expect(missing?.hint?.contains("load_balancer") == true)

            try await cloud.deleteNode(node)  // InvalidInstanceID.NotFound: gone already

            let unreachable = AWSCloud(
                fleet: "t", settings: AWSSettings(endpoint: URL(string: "http://127.0.0.1:\(TestTools.freePort())")),
                region: "us-east-1", credentials: AWSCredentials(accessKeyID: Secret("a"), secretAccessKey: Secret("b")),
                logger: TestTools.quietLogger)
            let refused = await #expect(throws: ProviderError.self) { try await unreachable.listNodes() }
            #expect(refused?.code == "unreachable" && refused?.isRetryable == true)
        }
    }
}
