import Foundation
import ScaleTesting
import Testing

/// Issue 18 on the fake Hetzner API, through the real `scalectl`: a server type sold out in a location
/// (`unavailable_types`, answered 412 `resource_unavailable`) moves a node to the next choice, and the
/// project's server limit (`server_limit`, answered 403 `resource_limit_exceeded`) leaves the roles of
/// higher priority their `min`.
@Suite(.serialized, .awaitsCleanup)
struct HetznerFallbackTests {
    typealias Fleet = HetznerEndToEndTests.Fleet
    static let during = HetznerEndToEndTests.during
    static let after = HetznerEndToEndTests.after
    static let twoLocations = #"locations = ["fsn1", "nbg1"]"#

    /// `frontal` behind `t-lb` with `types` (preferring cpx31 over cpx41), and `celery` (when `celery` > 0)
    /// listed first in the file; `extra` lines go into each role's table.
    static func roles(
        frontal: Int, types: String = #"server_types = ["cpx31", "cpx41"]"#, frontalExtra: String = "", celery: Int = 0, celeryExtra: String = ""
    ) -> String {
        let celeryTable = celery == 0 ? "" : """
            [roles.celery]
            count = \(celery)
            server_type = "cpx41"
            snapshot = { labels = "role=celery", max_age = "30h" }
            \(celeryExtra)

            """
        return celeryTable + """
            [roles.frontal]
            count = \(frontal)
            \(types)
            snapshot = { labels = "role=frontal", max_age = "30h" }
            load_balancer = "t-lb"
            \(frontalExtra)
            """
    }

    /// A `POST /servers` the fake received and what it answered.
    struct Create: Equatable, CustomStringConvertible {
        var name: String
        var type: String
        var location: String
        var status: Int
        var description: String { "\(name) \(type) in \(location): \(status)" }
    }

    /// The `POST /servers` requests after the first `skip` requests, in order.
    static func creates(_ fake: FakeHetzner, after skip: Int = 0) async throws -> [Create] {
        try await fake.requests().dropFirst(skip).filter { $0.is("POST", "/v1/servers") }.map {
            Create(
                name: $0.body?["name"] as? String ?? "", type: $0.body?["server_type"] as? String ?? "",
                location: $0.body?["location"] as? String ?? "none", status: $0.status)
        }
    }

    /// The fake's servers as `name type in location`, sorted.
    static func servers(_ fake: FakeHetzner) async throws -> [String] {
        let servers = try await fake.state()["servers"] as? [[String: Any]] ?? []
        return servers.map {
            "\($0["name"] as? String ?? "") \(($0["server_type"] as? [String: Any])?["name"] as? String ?? "")"
                + " in \(($0["location"] as? [String: Any])?["name"] as? String ?? "")"
        }.sorted()
    }

    @Test func theFirstTypeSoldOutInTheFirstLocationGoesToTheSecond() async throws {
        let fleet = try await Fleet.start(placement: Self.twoLocations, roles: Self.roles(frontal: 1))
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["unavailable_types": ["cpx31": ["fsn1"]]])
        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 0, "\(up)")
        #expect(try await Self.creates(fleet.fake).map(\.description) == [
            "t-frontal-1-1 cpx31 in fsn1: 412", "t-frontal-1-1 cpx31 in nbg1: 201",
        ])
        #expect(try await Self.servers(fleet.fake) == ["t-frontal-1-1 cpx31 in nbg1"])
        let status = try await fleet.run("status", "--at", Self.during)
        #expect(status.status == 0, "\(status)")
        let line = status.stdout.split(separator: "\n").first { $0.hasPrefix("  t-frontal-1-1") }
        #expect(line?.contains("  cpx31 in nbg1") == true, "\(status.stdout)")
    }

    /// Every type sold out in fsn1: each node goes to nbg1, and once one node met the sold-out answer the
    /// others of the run do not ask for it again (one create at a time, so the order is known).
    @Test func everyTypeSoldOutInOneLocationIsAskedForOncePerRun() async throws {
        let fleet = try await Fleet.start(controller: "concurrency = 1", placement: Self.twoLocations, roles: Self.roles(frontal: 3))
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["unavailable_types": ["cpx31": ["fsn1"], "cpx41": ["fsn1"]]])
        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 0, "\(up)")
        let creates = try await Self.creates(fleet.fake)
        #expect(creates.filter { $0.status == 412 }.map(\.location) == ["fsn1"], "fsn1 refused once: \(creates)")
        #expect(creates.count == 4, "one refusal and three creates: \(creates)")
        #expect(try await Self.servers(fleet.fake) == ["t-frontal-1-1 cpx31 in nbg1", "t-frontal-1-2 cpx31 in nbg1", "t-frontal-1-3 cpx31 in nbg1"])
    }

    /// `frontal` (3, min 2, priority 10) and `celery` (2, min 1, listed first) under a server limit of
    /// `limit`, in the configuration and at the fake.
    static func underLimit(_ limit: Int) async throws -> Fleet {
        let fleet = try await Fleet.start(
            provider: "server_limit = \(limit)", placement: Self.twoLocations,
            roles: Self.roles(frontal: 3, frontalExtra: "min = 2\npriority = 10", celery: 2, celeryExtra: "min = 1"))
        try await fleet.fake.faults(["server_limit": limit])
        return fleet
    }

    /// `server_limit = 3` with room for 3 and `min`s 2 + 1: each role gets its `min`, the plan says what
    /// is short, the run is degraded (exit 1) and the nodes it got stay. The fake never had to refuse.
    @Test func aServerLimitFittingOnlyTheMinsIsADegradedRun() async throws {
        let fleet = try await Self.underLimit(3)
        atEnd { await fleet.stop() }
        let plan = try await fleet.run("plan", "--at", Self.during)
        #expect(plan.stdout.contains("SHORT: 2 of 3 planned") && plan.stdout.contains("SHORT: 1 of 2 planned"), "\(plan)")

        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 1, "\(up)")
        #expect((up.stdout + up.stderr).contains("degraded: 2 of 3 frontal nodes obtained (min 2)"), "\(up)")
        #expect((up.stdout + up.stderr).contains("degraded: 1 of 2 celery nodes obtained (min 1)"), "\(up)")
        #expect(try await Self.creates(fleet.fake).allSatisfy { $0.status == 201 }, "fitted in the plan, never refused")
        #expect(try await fleet.fake.servers() == [
            "t-celery-1-1": "running", "t-frontal-1-1": "running", "t-frontal-1-2": "running",
        ])
    }

    /// Room for 2 while the `min`s add up to 3: `frontal` (priority 10, listed second) gets its 2, `celery`
    /// none, and is failed below its `min`.
    @Test func aServerLimitBelowTheMinsGoesToTheHigherPriority() async throws {
        let fleet = try await Self.underLimit(2)
        atEnd { await fleet.stop() }
        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 1, "\(up)")
        let text = up.stdout + up.stderr
        #expect(text.contains("only 0 of 2 celery nodes obtained, fewer than min 1"), "\(text)")
        #expect(text.contains("degraded: 2 of 3 frontal nodes obtained (min 2)"), "\(text)")
        #expect(try await Self.creates(fleet.fake).allSatisfy { $0.status == 201 }, "fitted in the plan, not left to a race for the last servers")
        #expect(try await fleet.fake.servers().keys.sorted() == ["t-frontal-1-1", "t-frontal-1-2"])
    }

    /// No `server_limit` in the configuration: the provider's 403 `resource_limit_exceeded` ends the node's
    /// search at once (no other type or location is asked), and the role goes on degraded with the rest.
    @Test func theProvidersOwnLimitEndsTheSearch() async throws {
        let fleet = try await Fleet.start(
            controller: "concurrency = 1", placement: Self.twoLocations, roles: Self.roles(frontal: 3, frontalExtra: "min = 2"))
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["server_limit": 2])
        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 1, "\(up)")
        #expect((up.stdout + up.stderr).contains("degraded: 2 of 3 frontal nodes obtained (min 2)"), "\(up)")
        let creates = try await Self.creates(fleet.fake)
        #expect(creates.map(\.status).sorted() == [201, 201, 403], "one refusal, not one per choice: \(creates)")
        #expect(try await fleet.fake.servers().count == 2)
    }

    /// cpx31 sold out everywhere: the node is a cpx41, `down` deletes it, and `cost` prices it as a cpx41
    /// (the fleet's prices: cpx31 0.0211, cpx41 0.0395 per hour).
    @Test func aFallbackNodeIsTornDownAndBilledAtItsOwnPrice() async throws {
        let fleet = try await Fleet.start(placement: Self.twoLocations, roles: Self.roles(frontal: 1))
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["unavailable_types": ["cpx31": ["fsn1", "nbg1"]]])
        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 0, "\(up)")
        #expect(try await Self.servers(fleet.fake) == ["t-frontal-1-1 cpx41 in fsn1"])

        let down = try await fleet.run("down", "--at", Self.after)
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.contains("deleted 1 node, none left"), "\(down.stdout)")
        #expect(try await fleet.fake.servers().isEmpty)

        let cost = try await fleet.run("cost", "--json", "--at", "2026-11-24T12:00")
        #expect(cost.status == 0, "\(cost)")
        let event = try #require((try cost.json()["events"] as? [[String: Any]])?.first, "\(cost.stdout)")
        let node = try #require((event["nodes"] as? [[String: Any]])?.first, "\(cost.stdout)")
        #expect(node["server_type"] as? String == "cpx41", "\(node)")
        let hours = try #require(node["billed_hours"] as? Double)
        #expect(hours >= 1)
        #expect(abs((node["cost"] as? Double ?? 0) - hours * 0.0395) < 1e-4, "priced as a cpx41, not a cpx31: \(node)")
    }

    /// What was sold out is remembered for one run only: the next day's first create asks for the
    /// preferred type in the preferred location again.
    @Test func theNextDayStartsAgainFromThePreferredChoice() async throws {
        let fleet = try await Fleet.start(placement: Self.twoLocations, roles: Self.roles(frontal: 2))
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["unavailable_types": ["cpx31": ["fsn1"]]])
        #expect(try await fleet.run("up", "--at", Self.during).status == 0)
        #expect(try await fleet.run("down", "--at", Self.after).status == 0)

        try await fleet.fake.faults(["unavailable_types": [String: [String]]()])
        try await fleet.fake.seedFleetImages(created: "2026-11-24T13:00:00+00:00")
        #expect(try await fleet.run("calendar", "add", "--name", "Gala 2", "--start", "2026-11-24 21:00", "--end", "2026-11-24 23:00").status == 0)
        let before = try await fleet.fake.requests().count
        let up = try await fleet.run("up", "--at", "2026-11-24T20:30")
        #expect(up.status == 0, "\(up)")
        let creates = try await Self.creates(fleet.fake, after: before)
        #expect(creates.map(\.description).sorted() == ["t-frontal-2-1 cpx31 in fsn1: 201", "t-frontal-2-2 cpx31 in fsn1: 201"], "\(creates)")
    }

    /// A balancer in another network zone than the locations: its targets could never join it, so doctor
    /// fails, naming both zones, hours before the show.
    @Test func doctorFailsWhenTheBalancerIsInAnotherNetworkZone() async throws {
        let fleet = try await Fleet.start(seed: false, placement: #"locations = ["nbg1", "hel1"]"#)
        atEnd { await fleet.stop() }
        try await fleet.fake.seedFleetImages()
        try await fleet.fake.seed(["load_balancers": [["name": "t-lb", "location": "ash"]]])
        let doctor = try await fleet.run("doctor", "--at", HetznerDoctorTests.afternoon)
        #expect(doctor.status == 1, "\(doctor)")
        #expect(doctor.stderr.contains(
            "FAILED   load balancer t-lb: exists (frontal), but t-lb is in network zone us-east (ash), while nbg1 is in eu-central, hel1 is in eu-central"),
            "\(doctor.stderr)")
    }

    /// The type sold out in the preferred location but orderable in the next: a warning hours before the
    /// show that names the location, not a failure (one server type, so only the location is left).
    @Test func doctorWarnsOfAPreferredLocationSoldOut() async throws {
        let fleet = try await Fleet.start(
            placement: #"locations = ["nbg1", "hel1"]"#, roles: Self.roles(frontal: 2, types: #"server_type = "cpx31""#))
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["unavailable_types": ["cpx31": ["nbg1"]]])
        let doctor = try await fleet.run("doctor", "--at", HetznerDoctorTests.afternoon)
        #expect(doctor.status == 0, "\(doctor)")
        let line = try #require((doctor.stdout + doctor.stderr).split(separator: "\n").first { $0.contains("server type cpx31:") }, "\(doctor)")
        #expect(line.hasPrefix("warning"), "\(line)")
        #expect(line.contains("cannot be ordered in nbg1") && line.contains("can be ordered in hel1"), "\(line)")
    }
}
