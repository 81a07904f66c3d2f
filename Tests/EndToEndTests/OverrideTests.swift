import Foundation
import ScaleTesting
import Testing

/// Overrides made through the CLI, obeyed by `up`, `down` and `reconcile`.
@Suite(.serialized, .awaitsCleanup)
struct OverrideTests {
    @Test func skipSetExtendAndHoldShapeTheCronCommands() async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        atEnd { await fleet.cleanUp() }

        #expect(try await fleet.run("override", "skip", "1", "--reason", "show cancelled").status == 0)
        let skipped = try await fleet.run("up", "--at", LifecycleTests.during)
        #expect(skipped.stdout.contains("nothing to do: no event now"), "\(skipped)")
        let listed = try await fleet.run("override", "list")
        #expect(listed.stdout.contains("#1 skip event #1 by"), "\(listed.stdout)")
        #expect(listed.stdout.contains("show cancelled"))
        #expect(try await fleet.run("override", "clear", "1").status == 0)

        #expect(try await fleet.run("override", "set", "celery", "3", "--event", "1", "--reason", "more players").status == 0)
        #expect(try await fleet.run("up", "--at", LifecycleTests.during).status == 0)
        #expect(try await fleet.nodes(at: LifecycleTests.during)["celery"]?.count == 3)
        let plan = try await fleet.run("plan", "--at", LifecycleTests.during)
        #expect(plan.stdout.contains("overrides in force:") && plan.stdout.contains("set celery to 3 for event #1"), "\(plan.stdout)")
        let status = try await fleet.run("status", "--at", LifecycleTests.during)
        #expect(status.stdout.contains("celery: 3 wanted"), "\(status.stdout)")

        // The show overruns: 30 more minutes keep the fleet (and the count) past the margin's end at 23:30.
        #expect(try await fleet.run("override", "extend", "30m", "--reason", "overran", "--at", "2026-11-23T22:50").status == 0)
        let extended = try await fleet.run("reconcile", "--at", "2026-11-23T23:45")
        #expect(extended.status == 0)
        #expect(extended.stdout.contains("ensuring the fleet"), "\(extended.stdout)")
        #expect(try await fleet.nodes(at: "2026-11-23T23:45")["celery"]?.count == 3, "the count override lasts as long as the window")

        // A hold keeps everything after the extended window too; down --force still tears down.
        #expect(try await fleet.run("override", "hold", "--until", "2026-11-24T02:00", "--reason", "debugging", "--at", "2026-11-23T23:50").status == 0)
        let held = try await fleet.run("down", "--at", "2026-11-24T00:30")
        #expect(held.stdout.contains("held until 2026-11-24 02:00 +01:00"), "\(held.stdout)")
        #expect(try await fleet.nodes(at: "2026-11-24T00:30").values.map(\.count).reduce(0, +) == 6)
        let forced = try await fleet.run("down", "--force", "--at", "2026-11-24T00:30")
        #expect(forced.status == 0, "\(forced)")
        #expect(try await fleet.nodes(at: "2026-11-24T00:30").values.allSatisfy(\.isEmpty))
    }

    @Test func badOverridesAreRefusedAndChangeNothing() async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        defer { fleet.directory.remove() }
        let cases: [([String], String)] = [
            (["override", "skip", "7", "--reason", "x"], "there is no event #7"),
            (["override", "set", "web", "3", "--reason", "x"], "there is no role \"web\""),
            (["override", "set", "celery", "1001", "--reason", "x"], "between 0 and 1000"),
            (["override", "extend", "forever", "--event", "1", "--reason", "x"], "\"forever\" is not a duration"),
            (["override", "extend", "30m", "--reason", "x", "--at", "2026-11-23T12:00"], "no event's window covers now"),
            (["override", "hold", "--until", "2020-01-01T00:00Z", "--reason", "x"], "is not in the future"),
            (["override", "hold", "--until", "2030-01-01T00:00Z", "--reason", " "], "--reason must say why"),
            (["override", "hold", "--until", "2030-01-01T00:00Z"], "Missing expected argument '--reason"),
            (["override", "clear"], "Please give an override id or --all"),
            (["override", "clear", "42"], "there is no override #42"),
        ]
        for (arguments, message) in cases {
            let result = try await fleet.run(arguments[0], Array(arguments.dropFirst()))
            #expect(result.status == 2, "\(arguments): \(result)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try await fleet.run("override", "list").stdout.contains("no overrides"))
    }
}

extension TestFleet {
    /// Runs with the first argument and a list of the rest (for table-driven cases).
    func run(_ first: String, _ rest: [String]) async throws -> CLIResult {
        try await CLI.run([first] + rest + ["--config", config])
    }
}
