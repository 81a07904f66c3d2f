import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// Load balancers: one label-selector target per role, or server targets; health; detaching.
@Suite(.serialized, .awaitsCleanup)
struct HetznerBalancerTests {
    /// Creates `frontal` frontal and one celery node with `provider`; returns the frontal nodes.
    static func frontals(_ fake: FakeHetzner, _ provider: HetznerCloud, count: Int = 2) async throws -> [Node] {
        let image = try await HetznerProviderTests.image(fake)
        for index in 1...count { _ = try await provider.createNode(HetznerProviderTests.spec("t-frontal-1-\(index)", image: image)) }
        _ = try await provider.createNode(HetznerProviderTests.spec("t-celery-1-1", role: "celery", image: image))
        return try await provider.listNodes().filter { $0.role == "frontal" }
    }

    @Test func aRoleJoinsAsOneLabelSelectorTarget() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        try await fake.seed(["load_balancers": [["name": "t-lb", "ports": [80, 443]]]])
        try await fake.faults(["health_seconds": 0])  // healthy at once: the unknown phase is the next test's
        let provider = fake.provider()
        let nodes = try await Self.frontals(fake, provider)
        try await provider.attach(nodes, role: "frontal", to: "t-lb")
        try await provider.attach(nodes, role: "frontal", to: "t-lb")  // target_already_defined: fine

        let health = try await provider.members(of: "t-lb", role: "frontal")
        #expect(health == Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, BalancerHealth.healthy) }), "celery is not a member")
        try await fake.faults(["unhealthy": [nodes[1].name]])
        #expect(try await provider.members(of: "t-lb", role: "frontal")[nodes[1].id] == .unhealthy, "one failing service is enough")

        try await provider.detach([nodes[0]], role: "frontal", from: "t-lb")
        #expect(try await provider.members(of: "t-lb", role: "frontal").count == 2, "a selector target cannot let one server go")
        try await provider.detach(nodes, role: "frontal", from: "t-lb")
        #expect(try await provider.members(of: "t-lb", role: "frontal").isEmpty)

        let requests = try await fake.requests()
        let selector: [String: Any] = ["selector": "scalectl-fleet=t,scalectl-role=frontal"]
        let adds = requests.filter { $0.is("POST", "/v1/load_balancers/301/actions/add_target") }
        #expect(adds.map(\.status) == [201, 422])
        #expect(adds.allSatisfy { body in
            body.body?["type"] as? String == "label_selector" && body.body?["use_private_ip"] as? Bool == false
                && NSDictionary(dictionary: body.body?["label_selector"] as? [String: Any] ?? [:]).isEqual(to: selector)
        })
        let removes = requests.filter { $0.is("POST", "/v1/load_balancers/301/actions/remove_target") }
        #expect(removes.count == 1 && removes[0].status == 201)
        #expect(removes[0].body.map { Set($0.keys) } == ["type", "label_selector"])
        #expect(requests.count("GET", "/v1/load_balancers") == 1, "found by name once, then by id")
        #expect(requests.count("GET", "/v1/load_balancers/301") >= 4)
    }

    @Test func serverTargetsOverThePrivateNetwork() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        try await fake.seed(["load_balancers": [["name": "t-lb", "networks": [77]]]])
        let provider = fake.provider {
            $0.targets = .servers
            $0.network = 77
            $0.usePrivateIP = true
            $0.firewalls = [5, 6]
        }
        let nodes = try await Self.frontals(fake, provider)
        #expect(nodes.allSatisfy { $0.privateIP?.hasPrefix("10.0.") == true })
        try await fake.faults(["health_seconds": 600])
        try await provider.attach(nodes, role: "frontal", to: "t-lb")
        #expect(try await provider.members(of: "t-lb", role: "frontal").values.sorted { $0.rawValue < $1.rawValue } == [.unknown, .unknown],
                "health checks start unknown")
        try await fake.faults(["health_seconds": 0])
        #expect(try await provider.members(of: "t-lb", role: "frontal").values.sorted { $0.rawValue < $1.rawValue } == [.healthy, .healthy])
        try await provider.detach([nodes[0]], role: "frontal", from: "t-lb")
        #expect(try await provider.members(of: "t-lb", role: "frontal").keys.sorted() == [nodes[1].id])

        let requests = try await fake.requests()
        let created = try #require(requests.first { $0.is("POST", "/v1/servers") }?.body)
        #expect(created["networks"] as? [Int] == [77])
        #expect((created["firewalls"] as? [[String: Int]]) == [["firewall": 5], ["firewall": 6]])
        let adds = requests.filter { $0.is("POST", "/v1/load_balancers/301/actions/add_target") }.compactMap(\.body)
        #expect(adds.count == 2)
        #expect(adds.allSatisfy { $0["type"] as? String == "server" && $0["use_private_ip"] as? Bool == true })
        #expect(adds.compactMap { ($0["server"] as? [String: Int])?["id"] }.map(String.init) == nodes.map(\.id))
        let removes = requests.filter { $0.is("POST", "/v1/load_balancers/301/actions/remove_target") }.compactMap(\.body)
        #expect(removes.count == 1 && (removes[0]["server"] as? [String: Int])?["id"].map(String.init) == nodes[0].id)
    }

    @Test func balancerProblemsAreNamed() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        try await fake.seed(["load_balancers": [["name": "t-lb"]]])
        let provider = fake.provider()
        let nodes = try await Self.frontals(fake, provider, count: 1)
        let missing = await #expect(throws: ProviderError.self) { try await provider.attach(nodes, role: "frontal", to: "nope") }
        #expect(missing?.code == "not_found" && missing?.message.contains("no load balancer named nope") == true)
        let isolated = fake.provider {
            $0.network = 77
            $0.usePrivateIP = true
        }
        let error = await #expect(throws: ProviderError.self) { try await isolated.attach(nodes, role: "frontal", to: "t-lb") }
        #expect(error?.code == "load_balancer_not_attached_to_network" && error?.hint?.contains("same network") == true)
    }
}
