import Foundation
import ScaleTesting
import Testing

/// Commands the README documents, run through the real executable: `override clear --all`,
/// `calendar remove` and `history --limit`, each checked by what the next command does.
@Suite(.serialized)
struct DocumentedCommandsTests {
    static let during = LifecycleTests.during
    static let before = LifecycleTests.before

    @Test func overrideClearAllEndsEveryOverride() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            #expect(try await fleet.run("override", "skip", "1", "--reason", "cancelled").status == 0)
            #expect(try await fleet.run("override", "set", "celery", "4", "--reason", "more players").status == 0)
            let skipped = try await fleet.run("plan", "--at", Self.during)
            #expect(skipped.stdout.contains("no event now"), "the skip is obeyed before the clear: \(skipped)")
            #expect(try await fleet.run("override", "hold", "--until", "2030-01-01T00:00Z", "--reason", "debugging").status == 0)

            let cleared = try await fleet.run("override", "clear", "--all")
            #expect(cleared.status == 0, "\(cleared)")
            #expect(cleared.stdout.contains("cleared 3 overrides"), "\(cleared.stdout)")
            let listed = try await fleet.run("override", "list")
            #expect(listed.stdout.contains("no overrides"), "\(listed.stdout)")

            let up = try await fleet.run("up", "--json", "--at", Self.during)
            #expect(up.status == 0, "\(up)")
            let created = try #require(try up.json()["created"] as? [String])
            #expect(created.filter { $0.hasPrefix("t-celery-") }.count == 2, "the cleared count override is gone: \(created)")
            #expect(created.count == 5, "the cleared skip no longer holds the event back")

            let again = try await fleet.run("override", "clear", "--all")
            #expect(again.status == 0 && again.stdout.contains("cleared 0 overrides"), "\(again)")
        }
    }

    @Test func calendarRemoveTakesTheEventOut() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            let final = try await fleet.run("calendar", "add", "--name", "Final", "--start", "2026-11-30 21:00", "--end", "2026-11-30 23:00")
            #expect(final.status == 0, "\(final)")
            #expect(try await fleet.run("plan", "--at", Self.during).stdout.contains("Gala"))

            let removed = try await fleet.run("calendar", "remove", "1")
            #expect(removed.status == 0, "\(removed)")
            #expect(removed.stdout.contains("removed #1 \"Gala\""), "\(removed.stdout)")
            let listed = try await fleet.run("calendar", "list", "--json")
            let events = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
            #expect(events.compactMap { $0["name"] as? String } == ["Final"])
            let plan = try await fleet.run("plan", "--at", Self.during)
            #expect(plan.stdout.contains("no event now") && !plan.stdout.contains("Gala"), "\(plan.stdout)")
            let up = try await fleet.run("up", "--json", "--at", Self.during)
            #expect(try up.json()["created"] as? [String] ?? [] == [], "\(up)")

            let twice = try await fleet.run("calendar", "remove", "1")
            #expect(twice.status == 2 && twice.stderr.contains("there is no event #1"), "\(twice)")
        }
    }

    @Test func historyLimitShowsTheNewestRuns() async throws {
        try await LifecycleTests.fleetWithEvent().whileAlive { fleet in
            for command in ["up", "reconcile", "down"] {
                #expect(try await fleet.run(command, "--at", Self.before).status == 0)
            }
            let all = try await fleet.run("history", "--json")
            let runs = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
            #expect(runs.compactMap { ($0["run"] as? [String: Any])?["command"] as? String } == ["down", "reconcile", "up"])

            let limited = try await fleet.run("history", "--limit", "2", "--json")
            let newest = try #require(try JSONSerialization.jsonObject(with: Data(limited.stdout.utf8)) as? [[String: Any]])
            #expect(newest.compactMap { ($0["run"] as? [String: Any])?["id"] as? Int } == [3, 2])
            let text = try await fleet.run("history", "--limit", "1")
            let lines = text.stdout.split(separator: "\n").filter { $0.hasPrefix("#") }
            #expect(lines.count == 1 && lines.first?.hasPrefix("#3 down") == true, "\(text.stdout)")
        }
    }
}
