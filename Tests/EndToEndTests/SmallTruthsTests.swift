import Foundation
import ScaleTesting
import Testing

/// What the commands print is true: overrides past their window are not "in force", cost lines add up
/// to their totals, a window crossing midnight shows the day it ends.
@Suite(.serialized, .awaitsCleanup)
struct SmallTruthsTests {
    @Test func eventOverridesEndWithTheirWindow() async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        let second = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-25 21:00", "--end", "2026-11-25 23:00")
        #expect(second.status == 0, "\(second)")
        #expect(try await fleet.run("override", "set", "celery", "3", "--event", "1", "--reason", "more players").status == 0)
        #expect(try await fleet.run("override", "extend", "30m", "--event", "1", "--reason", "overran").status == 0)
        #expect(try await fleet.run("override", "hold", "--until", "2026-11-24T02:00", "--reason", "debugging", "--at", "2026-11-23T23:00").status == 0)

        let during = try await fleet.run("override", "list", "--at", LifecycleTests.during)
        #expect(during.stdout.split(separator: "\n").filter { $0.contains("[active") }.count == 3, "\(during.stdout)")
        // 23:45: the margin (23:30) is over, but the 30-minute extension keeps event #1's window to 00:00.
        let extended = try await fleet.run("override", "list", "--at", "2026-11-23T23:45")
        #expect(!extended.stdout.contains("[expired"), "\(extended.stdout)")

        // The next evening event #1's window is long over: its overrides no longer apply.
        let later = try await fleet.run("override", "list", "--at", "2026-11-25T20:30")
        let lines = later.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.contains("[expired") }, "\(later.stdout)")
        let json = try await fleet.run("override", "list", "--json", "--at", "2026-11-25T20:30")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 3 && listed.allSatisfy { $0["active"] as? Bool == false })
        let plan = try await fleet.run("plan", "--at", "2026-11-25T20:30")
        #expect(plan.status == 0, "\(plan)")
        #expect(!plan.stdout.contains("overrides in force"), "alerts and plans carry the plan's overrides: \(plan.stdout)")
    }

    /// Two started hours of 3 cpx31 and 2 cpx41: 0.1266 + 0.158 = 0.2846. Rounded alone the roles
    /// print 0.13 + 0.16 = 0.29 beside a total of 0.28; rounded once they add up.
    @Test func costLinesAddUpToTheirTotals() async throws {
        let fleet = try await LifecycleTests.fleetWithEvent()
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("up", "--at", LifecycleTests.during).status == 0)
        let cost = try await fleet.run("cost", "--at", "2026-11-23T21:31")
        #expect(cost.status == 0, "\(cost)")
        func cents(_ line: Substring) throws -> Int {
            let amount = try #require(line.components(separatedBy: ": EUR ").last?.split(separator: ";").first)
            return try #require(Int(amount.replacingOccurrences(of: ".", with: "")))
        }
        let lines = cost.stdout.split(separator: "\n")
        let event = try #require(lines.first { $0.hasPrefix("#1 ") })
        let roles = lines.filter { $0.hasPrefix("  frontal:") || $0.hasPrefix("  celery:") }
        let total = try #require(lines.first { $0.hasPrefix("total:") })
        #expect(roles.count == 2)
        #expect(try cents(event) == 28, "\(cost.stdout)")
        #expect(try roles.map(cents).reduce(0, +) == cents(event), "\(cost.stdout)")
        #expect(try cents(total) == cents(event))
    }

    @Test func aWindowCrossingMidnightShowsItsEndDate() async throws {
        let fleet = try TestFleet()
        atEnd { await fleet.cleanUp() }
        let added = try await fleet.run("calendar", "add", "--name", "Late", "--start", "2026-11-23 23:00", "--end", "2026-11-24 00:30")
        #expect(added.status == 0, "\(added)")
        let plan = try await fleet.run("plan", "--at", "2026-11-23T22:30")
        #expect(plan.stdout.contains("(2026-11-23 22:15 +01:00 to 2026-11-24 01:00 +01:00)"), "\(plan.stdout)")
        let status = try await fleet.run("status", "--at", "2026-11-23T22:30")
        #expect(status.stdout.contains("2026-11-23 23:00 +01:00 to 2026-11-24 00:30 +01:00; fleet window 22:15 to 2026-11-24 01:00 +01:00"), "\(status.stdout)")
    }
}
