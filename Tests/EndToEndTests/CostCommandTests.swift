import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// `scalectl cost` through the real executable on the sim, after an up and a down rehearsed with `--at`.
/// The ledger's instants come from the controller's clock, so they are the pretended ones.
@Suite(.serialized, .awaitsCleanup)
struct CostCommandTests {
    static func instant(_ value: Any?) throws -> Date {
        let text = try #require(value as? String)
        return try TimeText.parse(text, zone: .gmt)
    }

    static func near(_ value: Any?, _ expected: Double, within: Double = 1e-4) -> Bool {
        guard let number = value as? Double else { return false }
        return abs(number - expected) <= within
    }

    @Test func costFollowsTheLedgerUpThenDown() async throws {
        let fleet = try TestFleet()
        atEnd { await fleet.cleanUp() }
        let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00")
        #expect(added.status == 0, "\(added)")
        let up = try await fleet.run("up", "--at", "2026-11-23T20:30")
        #expect(up.status == 0, "\(up)")

        // Half an hour later (pretended) all five still run: each bills its first started hour.
        let during = try await fleet.run("cost", "--json", "--at", "2026-11-23T21:00")
        #expect(during.status == 0, "\(during)")
        let now = try during.json()
        #expect(now["currency"] as? String == "EUR")
        let events = try #require(now["events"] as? [[String: Any]])
        let event = try #require(events.first)
        #expect(events.count == 1 && event["event_id"] as? Int == 1 && event["name"] as? String == "Gala")
        #expect(event["running"] as? Int == 5)
        let nodes = try #require(event["nodes"] as? [[String: Any]])
        #expect(nodes.count == 5)
        let upAt = try TimeText.parse("2026-11-23T19:30:00Z", zone: .gmt)
        for node in nodes {
            let from = try Self.instant(node["from"])
            #expect(from >= upAt && from < upAt + .seconds(60), "created at the pretended 20:30 (Madrid): \(from)")
            #expect(node["running"] as? Bool == true && node["to"] is NSNull)
            #expect(Self.near(node["hours"], 0.5, within: 0.02), "up to the pretended now: \(node["hours"] ?? "?")")
            #expect(node["billed_hours"] as? Double == 1)
        }
        #expect(Self.near(event["cost"], 3 * 0.0211 + 2 * 0.0395))

        let down = try await fleet.run("down", "--at", "2026-11-23T23:31")
        #expect(down.status == 0, "\(down)")

        // The next evening: nothing runs, each node lived about 3h01m (four started hours), and keeping
        // the five on from 20:30 to now (23h30m, 24 started hours) would have cost far more.
        let after = try await fleet.run("cost", "--json", "--at", "2026-11-24T20:00")
        #expect(after.status == 0, "\(after)")
        let report = try after.json()
        let closed = try #require((report["events"] as? [[String: Any]])?.first)
        #expect(closed["running"] as? Int == 0)
        let downAt = try TimeText.parse("2026-11-23T22:31:00Z", zone: .gmt)
        for node in try #require(closed["nodes"] as? [[String: Any]]) {
            let to = try Self.instant(node["to"])
            #expect(to >= downAt && to < downAt + .seconds(60), "gone at the pretended 23:31 (Madrid): \(to)")
            #expect(node["billed_hours"] as? Double == 4 && node["running"] as? Bool == false)
        }
        let roles = try #require(closed["roles"] as? [String: [String: Any]])
        #expect(roles["frontal"]?["peak"] as? Int == 3 && roles["celery"]?["peak"] as? Int == 2)
        #expect(roles["frontal"]?["billed_hours"] as? Double == 12 && roles["celery"]?["billed_hours"] as? Double == 8)
        let period = try #require(closed["period"] as? [String: Any])
        #expect(try Self.instant(period["to"]) == TimeText.parse("2026-11-24T19:00:00Z", zone: .gmt))
        #expect(Self.near(closed["cost"], 12 * 0.0211 + 8 * 0.0395))
        #expect(Self.near(closed["always_on_cost"], 72 * 0.0211 + 48 * 0.0395))
        #expect(Self.near(closed["saving"], 60 * 0.0211 + 40 * 0.0395))
        let total = try #require(report["total"] as? [String: Any])
        #expect(total["nodes"] as? Int == 5 && Self.near(total["saving"], 60 * 0.0211 + 40 * 0.0395))

        let text = try await fleet.run("cost", "--event", "1", "--at", "2026-11-24T20:00")
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("#1 \"Gala\" 2026-11-23 21:00 +01:00: 5 nodes"), "\(text.stdout)")
        #expect(text.stdout.contains("frontal: 3 nodes (peak 3)") && text.stdout.contains("12 billed hours"), "\(text.stdout)")
        #expect(text.stdout.contains("t-frontal-1-1  cpx31  2026-11-23 20:30 +01:00 to 2026-11-23 23:31 +01:00"), "\(text.stdout)")
        #expect(text.stdout.contains("saved EUR 2.85"), "\(text.stdout)")

        let none = try await fleet.run("cost", "--event", "7")
        #expect(none.status == 2 && none.stderr.contains("the ledger holds no node of event #7"), "\(none)")
        let later = try await fleet.run("cost", "--json", "--since", "2026-11-24", "--at", "2026-11-24T20:00")
        #expect(try (later.json()["events"] as? [Any])?.isEmpty == true, "the only event started before --since")
    }
}
