import Foundation
import ScaleTesting
import Testing

/// The real executable on a temporary database and the sim provider, driven through `--at`.
@Suite(.serialized, .awaitsCleanup)
struct LifecycleTests {
    static let before = "2026-11-23T20:00"  // 15 min before the window opens at 20:15 (lead 45m)
    static let during = "2026-11-23T20:30"
    static let after = "2026-11-23T23:31"  // margin of 30m after 23:00 is over

    static func fleetWithEvent() async throws -> TestFleet {
        let fleet = try TestFleet()
        let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00")
        #expect(added.status == 0, "\(added)")
        return fleet
    }

    @Test func upStatusUpAgainAndDown() async throws {
        let fleet = try await Self.fleetWithEvent()
        atEnd { await fleet.cleanUp() }

        let early = try await fleet.run("up", "--at", Self.before)
        #expect(early.status == 0)
        #expect(early.stdout.contains("nothing to do: no event now; next: #1 \"Gala\" at 2026-11-23 21:00 +01:00"), "\(early)")
        #expect(try await fleet.nodes(at: Self.before).values.allSatisfy(\.isEmpty))

        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 0, "\(up)")
        #expect(up.stdout.contains("frontal: 3/3 running"))
        #expect(up.stdout.contains("frontal: 3/3 healthy on t-lb"))
        let nodes = try await fleet.nodes(at: Self.during)
        #expect(nodes["frontal"]?.map(\.name) == ["t-frontal-1-1", "t-frontal-1-2", "t-frontal-1-3"])
        #expect(nodes["frontal"]?.allSatisfy { $0.state == "running" && $0.ready && $0.lb == "healthy" } == true)
        #expect(nodes["celery"]?.count == 2)
        #expect(nodes["celery"]?.allSatisfy { $0.state == "running" && $0.ready && $0.lb == nil } == true)

        let again = try await fleet.run("up", "--json", "--at", "2026-11-23T20:40")
        #expect(again.status == 0, "\(again)")
        #expect(try again.json()["created"] as? [String] == [], "a second up creates nothing")

        let inside = try await fleet.run("down", "--at", "2026-11-23T22:00")
        #expect(inside.status == 0)
        #expect(inside.stdout.contains("not tearing down (down --force would)"))
        #expect(try await fleet.nodes(at: "2026-11-23T22:00").values.map(\.count).reduce(0, +) == 5)

        let down = try await fleet.run("down", "--at", Self.after)
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.contains("deleted 5 nodes, none left"))
        #expect(try await fleet.nodes(at: Self.after).values.allSatisfy(\.isEmpty))

        let history = try await fleet.run("history")
        #expect(history.stdout.contains("down") && history.stdout.contains("up"))
        #expect(history.stdout.contains("frontal: resolve-snapshot"), "\(history.stdout)")
    }

    @Test func statusJSONHasTheDocumentedShape() async throws {
        let fleet = try await Self.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("up", "--quiet", "--at", Self.during).stdout.isEmpty, "--quiet prints nothing when all is well")
        let json = try await fleet.run("status", "--json", "--at", Self.during).json()
        #expect(json["fleet"] as? String == "t")
        // `--at` sets where the controller's clock starts; it runs on from there, by a second or more on a loaded machine.
        let now = try #require((json["now"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }, "now is an ISO 8601 instant: \(json["now"] ?? "none")")
        let at = try #require(ISO8601DateFormatter().date(from: "2026-11-23T19:30:00Z"))
        #expect(now >= at && now < at.addingTimeInterval(60), "now starts at --at: \(now)")
        let window = try #require(json["window"] as? [String: Any])
        #expect(window["event"] as? String == "Gala")
        #expect(window["start"] as? String == "2026-11-23T19:15:00Z")
        #expect(window["end"] as? String == "2026-11-23T22:30:00Z")
        let roles = try #require(json["roles"] as? [String: [String: Any]])
        #expect(roles["frontal"]?["desired"] as? Int == 3)
        let node = try #require((roles["frontal"]?["nodes"] as? [[String: Any]])?.first)
        for key in ["name", "id", "state", "ready", "lb"] { #expect(node[key] != nil, "node has \(key)") }
        let outside = try await fleet.run("status", "--json", "--at", "2026-11-24T03:00").json()
        #expect(outside["window"] is NSNull)
    }

    @Test func planTouchesNothing() async throws {
        let fleet = try await Self.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        let plan = try await fleet.run("plan", "--at", Self.during)
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("create t-frontal-1-1, t-frontal-1-2, t-frontal-1-3"), "\(plan.stdout)")
        #expect(try await fleet.nodes(at: Self.during).values.allSatisfy(\.isEmpty))
        #expect(try await fleet.run("history").stdout.contains("no runs yet"))
    }
}

/// Concurrency and crashes: one run at a time, and a killed run leaves nothing that a re-run cannot mend.
@Suite(.serialized, .awaitsCleanup)
struct CrashAndLockTests {
    @Test func twoUpsAtOnceOneExits3() async throws {
        // The first `up` holds the lock as long as it waits for a front-end that never boots, however slow
        // this machine is; the second, started meanwhile, is refused. Then the first is stopped.
        let fleet = try TestFleet(extraProvider: "[provider.faults]\nnever_running = [\"t-frontal-1-3\"]")
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let first = try fleet.start("up", "--at", LifecycleTests.during)
        try await first.waitForOutput("frontal: creating 3 nodes")  // printed once it holds the lock, whatever it sees next
        let refused = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(refused.status == 3, "\(refused)")
        first.signal(SIGTERM)
        #expect(try await first.finish().status != 3, "the first run was the one holding the lock")
        #expect(refused.stderr.contains("another controller leads fleet t: `scalectl up` (pid \(first.pid) on "), "\(refused.stderr)")
        #expect(refused.stderr.contains("Nothing was changed"))
    }

    @Test func killedInTheMiddleOfUpARerunConverges() async throws {
        // Servers take 8 s to boot, so the first `up` is still waiting for them when it is killed, however
        // slowly this machine prints; the re-run takes the dead run's lock over and converges.
        let fleet = try TestFleet(bootTime: "8s")
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let up = try fleet.start("up", "--at", LifecycleTests.during)
        try await up.waitForOutput("0/3 running")
        up.signal(SIGKILL)
        #expect(try await up.finish().signal == SIGKILL, "killed while the servers boot")

        let rerun = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(rerun.status == 0, "\(rerun)")
        #expect(rerun.stderr.contains("took over the lock"), "\(rerun.stderr)")
        try await Self.expectExactlyTheConfiguredNodes(fleet)
        let history = try await fleet.run("history", "--json")
        #expect(history.stdout.contains("\"interrupted\""))
    }

    static func expectExactlyTheConfiguredNodes(_ fleet: TestFleet) async throws {
        let nodes = try await fleet.nodes(at: LifecycleTests.during)
        #expect(nodes["frontal"]?.map(\.name) == ["t-frontal-1-1", "t-frontal-1-2", "t-frontal-1-3"])
        #expect(nodes["celery"]?.map(\.name) == ["t-celery-1-1", "t-celery-1-2"])
        #expect(nodes.values.joined().allSatisfy { $0.state == "running" && $0.ready })
    }
}

/// Bad input: exit 2, a message naming the problem, nothing changed.
@Suite(.awaitsCleanup)
struct InputErrorTests {
    @Test func usageAndInputErrorsExit2() async throws {
        let fleet = try TestFleet()
        defer { fleet.directory.remove() }
        let cases: [([String], String)] = [
            (["launch"], "Unexpected argument 'launch'"),
            (["up", "--at", "tonight"], "--at: \"tonight\" is not a time"),
            (["calendar", "add", "--name", "x", "--start", "2026-11-23 21:00", "--end", "2026-11-23 20:00"], "is not after the start"),
            (["calendar", "add", "--name", "x", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00", "--count", "web=2"], "names the role \"web\""),
            (["calendar", "remove", "99"], "there is no event #99"),
            (["history", "--limit", "0"], "--limit"),
        ]
        for (arguments, message) in cases {
            let result = try await CLI.run(arguments + ["--config", fleet.config])
            #expect(result.status == 2, "\(arguments): \(result)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try await fleet.run("calendar", "list").stdout.contains("the calendar is empty"))
    }

    @Test func aBadConfigurationExits2NamingTheKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write("bad.toml", "[controller]\nfleet = \"t\"\ntimezone = \"UTC\"\nlead = \"soon\"\n")
        let result = try await CLI.run(["up", "--config", config])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.toml:4: controller.lead: \"soon\" is not a duration"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("scalectl.sqlite")), "nothing was created")
        let missing = try await CLI.run(["status", "--config", directory.file("none.toml")])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read the file"))
    }

    @Test func importsTheSampleICalendarOverAHorizon() async throws {
        let fleet = try TestFleet()
        defer { fleet.directory.remove() }
        let sample = "\(TestTools.repositoryRoot)/schedules/sample.ics"
        let result = try await fleet.run("calendar", "import", sample, "--horizon", "30d", "--at", "2026-11-20T00:00Z")
        #expect(result.status == 0, "\(result)")
        // Weekdays from Monday 23 November to Friday 18 December, and the final on the 18th.
        #expect(result.stdout.contains("imported 21 events"), "\(result.stdout)")
        let list = try await fleet.run("calendar", "list", "--json")
        let events = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(events.first?["start"] as? String == "2026-11-23T20:00:00Z")
        #expect(events.contains { $0["name"] as? String == "Mihiluze final" && ($0["counts"] as? [String: Int]) == ["frontal": 5, "celery": 4] })
        let again = try await fleet.run("calendar", "import", sample, "--horizon", "30d", "--at", "2026-11-20T00:00Z")
        #expect(again.stdout.contains("imported 0 events") && again.stdout.contains("21 already in the calendar, skipped"), "\(again.stdout)")
    }

    @Test func aCalendarImportWithOneBadRowImportsNothing() async throws {
        let fleet = try TestFleet()
        defer { fleet.directory.remove() }
        let file = try fleet.directory.write("events.csv", """
            name,start,end,tz,counts
            Good,2026-11-23 21:00,2026-11-23 23:00,Europe/Madrid,frontal=4
            Bad,2026-11-24 21:00,2026-11-24 20:00,Europe/Madrid,
            """)
        let result = try await fleet.run("calendar", "import", file)
        #expect(result.status == 2)
        #expect(result.stderr.contains("events.csv:3: event \"Bad\": the end"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was imported"))
        #expect(try await fleet.run("calendar", "list").stdout.contains("the calendar is empty"))
        try fleet.directory.write("events.csv", "name,start,end,tz,counts\nGood,2026-11-23 21:00,2026-11-23 23:00,Europe/Madrid,frontal=4\n")
        #expect(try await fleet.run("calendar", "import", file).status == 0)
        let twice = try await fleet.run("calendar", "import", file)
        #expect(twice.stdout.contains("1 already in the calendar, skipped"))
    }
}
