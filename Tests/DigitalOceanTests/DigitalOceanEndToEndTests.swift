import Foundation
import ScaleTesting
import Testing

/// Whole command lines with `kind = "digitalocean"` against the fake API.
@Suite(.serialized, .awaitsCleanup)
struct DigitalOceanEndToEndTests {
    typealias Fleet = DigitalOceanFleet

    @Test func upThenUpAgainThenDownOnTheAPI() async throws {
        let fleet = try await Fleet.start()
        atEnd { await fleet.stop() }
        let up = try await fleet.run("up", "--verbose", "--at", Fleet.during)
        #expect(up.status == 0, "\(up)")
        #expect(up.stdout.contains("frontal: 3/3 running") && up.stdout.contains("celery: 2/2 running"), "\(up.stdout)")

        let requests = try await fleet.fake.requests()
        #expect(requests.allSatisfy { $0.auth == "ok" })
        let creates = requests.filter { $0.is("POST", "/v2/droplets") }.compactMap(\.body)
        #expect(creates.count == 2, "one create call per role: \(creates)")
        var names: [String] = []
        for body in creates {
            let batch = try #require(body["names"] as? [String])
            names += batch
            let role = batch[0].hasPrefix("t-frontal") ? "frontal" : "celery"
            #expect(body["region"] as? String == "fra1")
            #expect(body["size"] as? String == (role == "frontal" ? "s-2vcpu-4gb" : "s-4vcpu-8gb"))
            #expect(body["image"] as? Int == (role == "frontal" ? 7002 : 7003), "the newest snapshot whose name starts with the prefix")
            #expect(Set(body["tags"] as? [String] ?? []) == ["scalectl-fleet-t", "scalectl-role-t-\(role)", "mihiluze"])
        }
        #expect(names.sorted() == ["t-celery-1-1", "t-celery-1-2", "t-frontal-1-1", "t-frontal-1-2", "t-frontal-1-3"])
        #expect(requests.contains { $0.is("GET", "/v2/droplets") && $0.query["tag_name"] == ["scalectl-fleet-t"] && $0.query["page"] == ["2"] },
                "the fleet is listed by its tag, following the pages")
        let attaches = requests.filter { $0.is("POST", matching: "/v2/load_balancers/[0-9a-f-]+/droplets") }.compactMap(\.body)
        #expect(attaches.count == 1 && (attaches.first?["droplet_ids"] as? [Int])?.count == 3, "one attach call for the role: \(attaches)")
        #expect(!up.stdout.contains("healthy on t-lb"), "no health wait: the API has no per-droplet health")

        let status = try await fleet.run("status", "--json", "--at", Fleet.during)
        let roles = try #require(try status.json()["roles"] as? [String: [String: Any]])
        let frontal = try #require(roles["frontal"]?["nodes"] as? [[String: Any]])
        #expect(frontal.count == 3 && frontal.allSatisfy { $0["state"] as? String == "running" && $0["lb"] as? String == "unknown" }, "\(frontal)")

        let again = try await fleet.run("up", "--json", "--at", "2026-11-23T20:40")
        #expect(again.status == 0, "\(again)")
        #expect(try again.json()["created"] as? [String] == [], "a second up creates nothing")

        let down = try await fleet.run("down", "--at", Fleet.after)
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.contains("deleted 5 nodes, none left"), "\(down.stdout)")
        #expect(try await fleet.dropletNames().isEmpty)
        let all = try await fleet.fake.requests()
        let shutdowns = all.filter { $0.is("POST", matching: "/v2/droplets/[0-9]+/actions") && $0.body?["type"] as? String == "shutdown" }
        #expect(shutdowns.count == 5)
        #expect(all.filter { $0.is("DELETE", matching: "/v2/droplets/[0-9]+") }.count == 5, "deleted one id at a time")
        #expect(!all.contains { $0.is("DELETE", "/v2/droplets") }, "never DELETE /v2/droplets?tag_name=")
        let detaches = all.filter { $0.is("DELETE", matching: "/v2/load_balancers/[0-9a-f-]+/droplets") }
        #expect(detaches.count == 1)

        // Per second: each droplet lived about 3h01m and bills that, in USD, not four started hours.
        let cost = try await fleet.run("cost", "--json", "--at", "2026-11-24T20:00")
        #expect(cost.status == 0, "\(cost)")
        let report = try cost.json()
        #expect(report["currency"] as? String == "USD")
        let event = try #require((report["events"] as? [[String: Any]])?.first)
        let billed = try #require(event["nodes"] as? [[String: Any]]).compactMap { $0["billed_hours"] as? Double }
        #expect(billed.count == 5 && billed.allSatisfy { $0 > 2.9 && $0 < 3.2 }, "\(billed)")
        try fleet.expectNoToken([up, status, again, down, cost])
    }

    /// doctor reads the region, each size's regions, the balancer and the droplet limit.
    @Test func doctorChecksSizesInTheRegionTheBalancerAndTheLimit() async throws {
        let roles = Fleet.standardRoles.replacingOccurrences(of: "server_type = \"s-4vcpu-8gb\"", with: "server_type = \"c-8\"")
        let fleet = try await Fleet.start(roles: roles)
        atEnd { await fleet.stop() }
        let doctor = try await fleet.run("doctor", "--at", Fleet.during)
        let text = doctor.stdout + doctor.stderr
        #expect(doctor.status == 1, "\(doctor)")
        #expect(text.contains("server type s-2vcpu-4gb: can be ordered in fra1 (frontal)"), "\(text)")
        #expect(text.contains("c-8 cannot be ordered in fra1 (it can in nyc3)"), "\(text)")
        #expect(text.contains("load balancer t-lb: exists (frontal); droplets are added and removed by id; digitalocean reports no health per node and frontal has no readiness probe"), "\(text)")
        #expect(text.contains("of the digitalocean limit 25"), "the account's droplet_limit: \(text)")
    }

    @Test func aTagBasedBalancerIsJoinedByCarryingItsTag() async throws {
        let fleet = try await Fleet.start(balancerTag: "web")
        atEnd { await fleet.stop() }
        let plan = try await fleet.run("plan", "--at", Fleet.during)
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stdout.contains("t-lb: tag-based: droplets join by carrying the tag web"), "\(plan.stdout)")
        let up = try await fleet.run("up", "--at", Fleet.during)
        #expect(up.status == 0, "\(up)")
        let requests = try await fleet.fake.requests()
        let frontal = requests.filter { $0.is("POST", "/v2/droplets") }.compactMap(\.body).first { ($0["names"] as? [String])?.first?.hasPrefix("t-frontal") == true }
        #expect((frontal?["tags"] as? [String] ?? []).contains("web"), "created with the balancer's tag")
        #expect(!requests.contains { $0.path.hasSuffix("/droplets") && $0.path.hasPrefix("/v2/load_balancers/") }, "never by id")
        let status = try await fleet.run("status", "--json", "--at", Fleet.during)
        let nodes = try #require((try status.json()["roles"] as? [String: [String: Any]])?["frontal"]?["nodes"] as? [[String: Any]])
        #expect(nodes.count == 3 && nodes.allSatisfy { $0["lb"] as? String == "unknown" }, "members by the tag, health unknown: \(nodes)")
        let down = try await fleet.run("down", "--at", Fleet.after)
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.dropletNames().isEmpty)
        let untag = try await fleet.fake.requests().filter { $0.is("DELETE", "/v2/tags/web/resources") }
        #expect(untag.count == 1 && (untag.first?.body?["resources"] as? [[String: Any]])?.count == 3, "detached by untagging, before the drain")
    }

    @Test func aCrashInTheMiddleOfTheCreatesThenARerunLeavesNoDuplicateAndNoOrphan() async throws {
        let roles = Fleet.standardRoles.replacingOccurrences(of: "count = 3", with: "count = 12")
        let fleet = try await Fleet.start(roles: roles)
        atEnd { await fleet.stop() }
        // The first create call is carried out, then the controller is killed before its answer.
        try await fleet.fake.faults(["kill_on": ["method": "POST", "path": "/v2/droplets", "nth": 1, "carried_out": true]])
        let killed = try await fleet.run("up", "--at", Fleet.during)
        #expect(killed.signal == SIGKILL, "\(killed)")
        let left = try await fleet.dropletNames()
        #expect(!left.isEmpty && left.count < 14, "the crash came between batches: \(left)")
        let before = try await fleet.fake.requests().count

        let rerun = try await fleet.run("up", "--at", Fleet.during)
        #expect(rerun.status == 0, "\(rerun)")
        let names = try await fleet.dropletNames()
        let wanted = (1...12).map { "t-frontal-1-\($0)" } + ["t-celery-1-1", "t-celery-1-2"]
        #expect(names == wanted.sorted(), "every node once: \(names)")
        let recreated = try await fleet.fake.requests().dropFirst(before).filter { $0.is("POST", "/v2/droplets") }
            .flatMap { $0.body?["names"] as? [String] ?? [] }
        #expect(Set(recreated).isDisjoint(with: left), "nothing that survived the crash was created again: \(recreated)")
        #expect(try await fleet.droplets().allSatisfy { ($0["tags"] as? [String] ?? []).contains("scalectl-fleet-t") }, "no orphan: all carry the fleet tag")

        let down = try await fleet.run("down", "--at", Fleet.after)
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.dropletNames().isEmpty, "the fleet tag finds every droplet, the crashed run's included")
    }

    @Test func aStrangerDropletWithANodeNameIsNeverTouchedAndReported() async throws {
        let fleet = try await Fleet.start()
        atEnd { await fleet.stop() }
        let seeded = try await fleet.fake.seed(["droplets": [["name": "t-celery-1-2", "tags": ["team-data"]]]])
        let stranger = try #require((seeded["droplets"] as? [[String: Any]])?.first?["id"] as? Int)
        let up = try await fleet.run("up", "--at", Fleet.during)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("a server named t-celery-1-2 (id \(stranger)) exists without this fleet's label"), "\(up.stderr)")
        let requests = try await fleet.fake.requests()
        let created = requests.filter { $0.is("POST", "/v2/droplets") }.flatMap { $0.body?["names"] as? [String] ?? [] }
        #expect(!created.contains("t-celery-1-2"), "no second droplet of that name")
        #expect(!requests.contains { $0.path.hasPrefix("/v2/droplets/\(stranger)") }, "the stranger is never shut down or deleted")
        let down = try await fleet.run("down", "--force", "--at", Fleet.after)
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.dropletNames() == ["t-celery-1-2"])
    }

    @Test func aSnapshotMissingFromTheRegionIsAClearErrorNamingBoth() async throws {
        let fleet = try await Fleet.start(snapshotRegions: ["ams3", "nyc3"])
        atEnd { await fleet.stop() }
        let up = try await fleet.run("up", "--at", Fleet.during)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("frontal-2026-11-23") && up.stderr.contains("ams3, nyc3") && up.stderr.contains("not in the region fra1"), "\(up.stderr)")
        #expect(try await fleet.fake.requests().count("POST", "/v2/droplets") == 0, "nothing created")
        let doctor = try await fleet.run("doctor", "--at", Fleet.during)
        #expect(doctor.status == 1 && (doctor.stdout + doctor.stderr).contains("is in ams3, nyc3, not in the region fra1"), "\(doctor)")
    }

    /// The account's `droplet_limit` is read before creating: the plan fits the roles under it, and
    /// doctor compares it with the droplets the account holds.
    @Test func theDropletLimitOfTheAccountIsPlannedFor() async throws {
        let fleet = try await Fleet.start()
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["server_limit": 2])
        let doctor = try await fleet.run("doctor", "--at", Fleet.during)
        #expect((doctor.stdout + doctor.stderr).contains("quota: 0 servers in the account; #1 \"Gala\" wants 5: 5 at its peak, more than the digitalocean limit 2"), "\(doctor)")
        let up = try await fleet.run("up", "--at", Fleet.during)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("the server limit 2 (account) with 0 servers in use"), "\(up.stderr)")
        #expect(try await fleet.dropletNames().count == 2)
    }

    /// A create refused with DigitalOcean's 422 about the droplet limit (another client took the room
    /// meanwhile) is the server limit, like Hetzner's `resource_limit_exceeded`: no retry, the role goes on
    /// with fewer, and the request id is quoted.
    @Test func aDropletLimit422IsTheServerLimit() async throws {
        let fleet = try await Fleet.start()
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["rules": [[
            "method": "POST", "path": "/v2/droplets", "status": 422, "code": "unprocessable_entity",
            "message": "creating this/these droplet(s) will exceed your droplet limit",
        ]]])
        let up = try await fleet.run("up", "--at", Fleet.during)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("the server limit is reached (creating this/these droplet(s) will exceed your droplet limit)"), "\(up.stderr)")
        #expect(try await fleet.fake.requests().filter { $0.is("POST", "/v2/droplets") }.count == 2, "not asked again: one refused call per role")
    }
}
