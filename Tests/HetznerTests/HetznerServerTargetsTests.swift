import Foundation
import ScaleTesting
import Testing

/// `lb_targets = "servers"` through the real executable against the Hetzner fake: one server target per
/// front-end; a lowered count detaches exactly the extra front-end before deleting it, and the others
/// stay on the balancer.
@Suite(.serialized)
struct HetznerServerTargetsTests {
    static let during = HetznerEndToEndTests.during

    /// Server name → id, for the servers the fake holds.
    static func ids(_ fake: FakeHetzner) async throws -> [String: Int] {
        let servers = try await fake.state()["servers"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: servers.map { ($0["name"] as? String ?? "", $0["id"] as? Int ?? 0) })
    }

    /// The server ids `t-lb` holds as server targets, and how many label-selector targets it has.
    static func targets(_ fake: FakeHetzner) async throws -> (servers: Set<Int>, selectors: Int) {
        let balancers = try await fake.state()["load_balancers"] as? [[String: Any]] ?? []
        let targets = balancers.first { $0["name"] as? String == "t-lb" }?["targets"] as? [[String: Any]] ?? []
        let servers = targets.filter { $0["type"] as? String == "server" }.compactMap { ($0["server"] as? [String: Any])?["id"] as? Int }
        return (Set(servers), targets.filter { $0["type"] as? String == "label_selector" }.count)
    }

    @Test func aLoweredCountDetachesTheExtraServerThenDeletesIt() async throws {
        let fleet = try await HetznerEndToEndTests.Fleet.start(provider: "lb_targets = \"servers\"")
        do {
            let up = try await fleet.run("up", "--at", Self.during)
            #expect(up.status == 0, "\(up)")
            var ids = try await Self.ids(fleet.fake)
            let frontal = Set(["t-frontal-1-1", "t-frontal-1-2", "t-frontal-1-3"].compactMap { ids[$0] })
            #expect(frontal.count == 3)
            var targets = try await Self.targets(fleet.fake)
            #expect(targets.servers == frontal && targets.selectors == 0, "one server target per front-end: \(targets)")
            let adds = try await fleet.fake.requests().filter { $0.is("POST", "/v1/load_balancers/301/actions/add_target") }.compactMap(\.body)
            #expect(adds.count == 3 && adds.allSatisfy { $0["type"] as? String == "server" }, "\(adds)")

            let lowered = try await fleet.run("override", "set", "frontal", "2", "--event", "1", "--reason", "fewer players")
            #expect(lowered.status == 0, "\(lowered)")
            let before = try await fleet.fake.requests().count
            let extra = try #require(ids["t-frontal-1-3"])
            let scaleIn = try await fleet.run("up", "--at", "2026-11-23T20:40")
            #expect(scaleIn.status == 0, "\(scaleIn)")

            let requests = Array(try await fleet.fake.requests().dropFirst(before))
            let removes = requests.enumerated().filter { $0.element.is("POST", "/v1/load_balancers/301/actions/remove_target") }
            #expect(removes.count == 1, "\(requests)")
            let removed = (removes.first?.element.body?["server"] as? [String: Any])?["id"] as? Int
            #expect(removes.first?.element.body?["type"] as? String == "server" && removed == extra, "\(String(describing: removes.first?.element.body))")
            let deletes = requests.enumerated().filter { $0.element.is("DELETE", matching: "/v1/servers/[0-9]+") }
            #expect(deletes.map(\.element.path) == ["/v1/servers/\(extra)"], "only the extra front-end is deleted")
            #expect((removes.first?.offset ?? .max) < (deletes.first?.offset ?? -1), "detached before it is deleted")

            ids = try await Self.ids(fleet.fake)
            #expect(Set(ids.keys) == ["t-frontal-1-1", "t-frontal-1-2", "t-celery-1-1", "t-celery-1-2"])
            targets = try await Self.targets(fleet.fake)
            #expect(targets.servers == frontal.subtracting([extra]), "the two kept front-ends stay targets: \(targets)")

            let down = try await fleet.run("down", "--force", "--at", Self.during)
            #expect(down.status == 0, "\(down)")
            #expect(try await fleet.fake.servers().isEmpty)
            #expect(try await Self.targets(fleet.fake).servers.isEmpty)
        } catch {
            await fleet.stop()
            throw error
        }
        await fleet.stop()
    }
}
