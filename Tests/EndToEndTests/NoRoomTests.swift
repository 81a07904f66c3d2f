import Foundation
import GRDB
import ScaleTesting
import Testing

/// When the cloud has no room (issue 18), on the sim through the real binary: sold-out server types and
/// locations move a node to the next choice, the server limit is shared out by priority and `min`, and
/// a role short of nodes is degraded (at or above `min`) or failed (below), with its nodes kept.
@Suite(.awaitsCleanup)
struct NoRoomTests {
    static func addGala(_ fleet: TestFleet) async throws {
        let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00")
        #expect(added.status == 0, "\(added)")
    }

    /// A fleet whose front-ends may be `cpx31` then `cpx41`, in `locations`, with the sim's faults.
    static func fleet(locations: [String] = [], soldOut: [String] = [], serverLimit: Int? = nil, frontalKeys: String = "", celeryKeys: String = "") throws -> TestFleet {
        var provider = locations.isEmpty ? "" : "locations = [\(locations.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        provider += "\n[provider.faults]\nunavailable_types = [\(soldOut.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        if let serverLimit { provider += "server_limit = \(serverLimit)\n" }
        let fleet = try TestFleet(
            frontal: 2, celery: 2, extraProvider: provider, extraController: "concurrency = 1", extraRoles: celeryKeys)
        let text = try String(contentsOfFile: fleet.config, encoding: .utf8)
            .replacingOccurrences(of: "server_type = \"cpx31\"", with: "server_types = [\"cpx31\", \"cpx41\"]\n" + frontalKeys)
        try text.write(toFile: fleet.config, atomically: true, encoding: .utf8)
        return fleet
    }

    /// Ledger rows of a role: each create the controller asked for, with its server type and whether it
    /// became a server.
    static func creates(_ fleet: TestFleet, role: String) throws -> [(type: String, made: Bool)] {
        try DatabaseQueue(path: fleet.database).read { db in
            try Row.fetchAll(db, sql: "SELECT serverType, createdAt FROM ledgerNode WHERE role = ? ORDER BY id", arguments: [role])
                .map { (type: $0["serverType"] ?? "", made: ($0["createdAt"] as Date?) != nil) }
        }
    }

    /// `status --json`: role → each node's server type and location.
    static func placed(_ fleet: TestFleet, at: String) async throws -> [String: [String]] {
        let status = try await fleet.run("status", "--json", "--at", at)
        let roles = try status.json()["roles"] as? [String: [String: Any]] ?? [:]
        return roles.mapValues { role in
            (role["nodes"] as? [[String: Any]] ?? []).map { "\($0["server_type"] as? String ?? "?") in \($0["location"] as? String ?? "-")" }
        }
    }

    @Test func aTypeSoldOutInTheFirstLocationMovesTheNodeToTheNextOnceForTheRun() async throws {
        let fleet = try Self.fleet(locations: ["fsn1", "nbg1"], soldOut: ["cpx31@fsn1"])
        atEnd { await fleet.cleanUp() }
        try await Self.addGala(fleet)
        let up = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(up.status == 0, "a fallback is not a failure: \(up)")
        #expect(up.stderr.contains("created as cpx31 in nbg1: cpx31 in fsn1: resource_unavailable"), "\(up.stderr)")
        let placed = try await Self.placed(fleet, at: LifecycleTests.during)
        #expect(placed["frontal"] == ["cpx31 in nbg1", "cpx31 in nbg1"], "the preferred type, in the next location: \(placed)")
        #expect(placed["celery"] == ["cpx41 in fsn1", "cpx41 in fsn1"], "celery's own type is not sold out: \(placed)")
        // One create ran at a time: the first node met the sold-out answer, the second went straight on.
        #expect(try Self.creates(fleet, role: "frontal").map(\.made) == [false, true, true])
    }

    @Test func everyTypeSoldOutInOneLocationGoesToTheNextLocation() async throws {
        let fleet = try Self.fleet(locations: ["fsn1", "nbg1"], soldOut: ["cpx31@fsn1", "cpx41@fsn1"])
        atEnd { await fleet.cleanUp() }
        try await Self.addGala(fleet)
        #expect(try await fleet.run("up", "--at", LifecycleTests.during).status == 0)
        let placed = try await Self.placed(fleet, at: LifecycleTests.during)
        #expect(placed["frontal"] == ["cpx31 in nbg1", "cpx31 in nbg1"], "the preferred type before the fallback type: \(placed)")
        #expect(placed["celery"] == ["cpx41 in nbg1", "cpx41 in nbg1"], "\(placed)")
    }

    /// A role sold out in every choice obtains nothing: that role fails naming every choice tried, and
    /// the other roles go on.
    @Test func aRoleSoldOutEverywhereFailsNamingEachChoiceAndTheOthersGoOn() async throws {
        let fleet = try Self.fleet(soldOut: ["cpx31", "cpx41"], celeryKeys: "")
        atEnd { await fleet.cleanUp() }
        let text = try String(contentsOfFile: fleet.config, encoding: .utf8)
            .replacingOccurrences(of: "server_type = \"cpx41\"", with: "server_type = \"cx22\"")
        try text.write(toFile: fleet.config, atomically: true, encoding: .utf8)
        try await Self.addGala(fleet)
        let up = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("only 0 of 2 frontal nodes obtained, fewer than min 2"), "\(up.stderr)")
        #expect(up.stderr.contains("sold out in every choice: cpx31: resource_unavailable"), "\(up.stderr)")
        #expect(up.stderr.contains("cpx41: resource_unavailable"), "\(up.stderr)")
        let placed = try await Self.placed(fleet, at: LifecycleTests.during)
        #expect(placed["celery"]?.count == 2, "celery is not held back by frontal: \(placed)")
    }

    /// The server limit fits only the roles' `min`: plan says so before anything is created, and the run
    /// creates the minimums, keeps them, and alerts "degraded" (exit 1).
    @Test func aLimitFittingOnlyTheMinimumsIsADegradedFleetThatIsKept() async throws {
        let fleet = try Self.fleet(serverLimit: 2, frontalKeys: "min = 1", celeryKeys: "min = 1")
        atEnd { await fleet.cleanUp() }
        try await Self.addGala(fleet)
        let plan = try await fleet.run("plan", "--at", LifecycleTests.during)
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stdout.contains("SHORT: 1 of 2 planned: the server limit 2 (sim) with 0 servers in use leaves room for 2 more servers"), "\(plan.stdout)")
        let up = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("degraded: 1 of 2 frontal nodes obtained (min 1)"), "\(up.stderr)")
        #expect(up.stderr.contains("degraded: 1 of 2 celery nodes obtained (min 1)"), "\(up.stderr)")
        #expect(up.stderr.contains("scalectl override set frontal 1"), "a command that goes on with what there is: \(up.stderr)")
        let nodes = try await fleet.nodes(at: LifecycleTests.during)
        #expect(nodes["frontal"]?.map(\.state) == ["running"] && nodes["celery"]?.map(\.state) == ["running"], "\(nodes)")
        #expect(nodes["frontal"]?.first?.ready == true, "the gates checked the node obtained")
        let again = try await fleet.run("up", "--at", "2026-11-23T20:35")
        #expect(again.status == 1 && !again.stdout.contains("creating"), "nothing to create while there is no room: \(again)")
    }

    /// Less room than the minimums: the role of higher priority gets its `min`; the other fails.
    @Test func theHigherPriorityRoleGetsItsMinimumFirst() async throws {
        let fleet = try Self.fleet(serverLimit: 2, frontalKeys: "min = 2", celeryKeys: "min = 1\npriority = 5")
        atEnd { await fleet.cleanUp() }
        try await Self.addGala(fleet)
        let up = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(up.status == 1, "\(up)")
        #expect(up.stderr.contains("only 1 of 2 frontal nodes obtained, fewer than min 2"), "\(up.stderr)")
        #expect(up.stderr.contains("degraded: 1 of 2 celery nodes obtained (min 1)"), "\(up.stderr)")
        let nodes = try await fleet.nodes(at: LifecycleTests.during)
        #expect(nodes["celery"]?.count == 1 && nodes["frontal"]?.count == 1, "celery (priority 5) first to its min, then frontal: \(nodes)")
    }

    /// Hours before the show: a type sold out in the preferred location is a warning while the role has a
    /// choice left; a role with none fails; a limit fitting only the mins is a warning.
    @Test func doctorWarnsWhileAChoiceIsLeftAndFailsWhenNoneIs() async throws {
        let fleet = try Self.fleet(locations: ["fsn1", "nbg1"], soldOut: ["cpx31@fsn1"], serverLimit: 3, frontalKeys: "min = 1", celeryKeys: "min = 1")
        atEnd { await fleet.cleanUp() }
        try await Self.addGala(fleet)
        let warned = try await fleet.run("doctor", "--at", "2026-11-23T16:00")
        #expect(warned.status == 0, "warnings alone exit 0: \(warned)")
        #expect(warned.stderr.contains("warning  server type cpx31: cannot be ordered in fsn1 (frontal)"), "\(warned.stderr)")
        #expect(warned.stdout.contains("can be ordered in nbg1 (frontal)") || warned.stderr.contains("can be ordered in nbg1 (frontal)"))
        #expect(warned.stderr.contains("the scale-up will be short, every role gets its min first"), "\(warned.stderr)")

        let text = try String(contentsOfFile: fleet.config, encoding: .utf8)
            .replacingOccurrences(of: "unavailable_types = [\"cpx31@fsn1\"]", with: "unavailable_types = [\"cpx31\", \"cpx41@fsn1\", \"cpx41@nbg1\"]")
        try text.write(toFile: fleet.config, atomically: true, encoding: .utf8)
        let failed = try await fleet.run("doctor", "--at", "2026-11-23T16:00")
        #expect(failed.status == 1, "frontal has no choice left: \(failed)")
        #expect(failed.stderr.contains("FAILED   server type cpx31"), "\(failed.stderr)")
    }

    /// A node of the fallback type is torn down like any other and billed at its own type's price; the
    /// next evening starts again from the preferred type.
    @Test func aFallbackNodeIsBilledAtItsOwnPriceAndTheNextEveningTriesThePreferredTypeAgain() async throws {
        let fleet = try Self.fleet(soldOut: ["cpx31"])
        atEnd { await fleet.cleanUp() }
        try await Self.addGala(fleet)
        #expect(try await fleet.run("calendar", "add", "--name", "Gala 2", "--start", "2026-11-24 21:00", "--end", "2026-11-24 23:00").status == 0)
        #expect(try await fleet.run("up", "--at", LifecycleTests.during).status == 0)
        #expect(try await Self.placed(fleet, at: LifecycleTests.during)["frontal"] == ["cpx41 in -", "cpx41 in -"])
        let down = try await fleet.run("down", "--at", LifecycleTests.after)
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.nodes(at: LifecycleTests.after).values.allSatisfy(\.isEmpty), "nothing left billing")

        let cost = try await fleet.run("cost", "--json", "--at", "2026-11-24T00:00")
        #expect(cost.status == 0, "\(cost)")
        let events = try cost.json()["events"] as? [[String: Any]] ?? []
        let frontal = (events.first?["nodes"] as? [[String: Any]] ?? []).filter { $0["role"] as? String == "frontal" }
        #expect(frontal.count == 2 && frontal.allSatisfy { $0["server_type"] as? String == "cpx41" }, "\(frontal)")
        // Priced at the sim's demo price of cpx41 (EUR 0.0395 an hour; cpx31 costs 0.0211), every started hour.
        #expect(frontal.allSatisfy { node in
            guard let cost = node["cost"] as? Double, let hours = node["billed_hours"] as? Double, hours > 0 else { return false }
            return abs(cost - hours * 0.0395) < 1e-9
        }, "\(frontal)")

        #expect(try await fleet.run("up", "--at", "2026-11-24T20:30").status == 0)
        let tries = try Self.creates(fleet, role: "frontal").map(\.type)
        #expect(tries == ["cpx31", "cpx41", "cpx41", "cpx31", "cpx41", "cpx41"], "each run starts from the preferred type: \(tries)")
    }
}
