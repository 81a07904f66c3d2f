import Foundation
import ScaleTesting
import Testing

/// `lead = "auto"`: 45 minutes until a scale-up is in the journal, then what scale-ups took plus
/// `lead_safety`, never less than 5 minutes. Read from `plan --json`: the lead in use and where the
/// next window starts (the event starts 2026-11-23 20:00 UTC).
@Suite(.serialized)
struct LeadAutoTests {
    static let eventStart = Date(timeIntervalSince1970: 1_795_464_000)  // 2026-11-23T20:00:00Z
    static let before = "2026-11-23T19:00"  // Madrid, 18:00 UTC: before any window

    struct Lead {
        var seconds: Double
        var needed: Double?
        var samples: Int
        var windowStart: Date
    }

    static func lead(_ fleet: TestFleet) async throws -> Lead {
        let plan = try await fleet.run("plan", "--json", "--at", before)
        let json = try plan.json()
        let lead = try #require(json["lead"] as? [String: Any], "\(plan)")
        #expect(lead["auto"] as? Bool == true)
        let start = try #require((json["next"] as? [String: Any])?["start"] as? String)
        return Lead(
            seconds: try #require(lead["lead"] as? Double), needed: lead["needed"] as? Double, samples: lead["samples"] as? Int ?? -1,
            windowStart: try #require(ISO8601DateFormatter().date(from: start)))
    }

    @Test func autoLeadIs45mWithoutHistoryThenLearnedWithAFloorOf5m() async throws {
        try await TestFleet(lead: "auto", extraController: "lead_safety = \"1s\"").whileAlive { fleet in
            #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
            let fresh = try await Self.lead(fleet)
            #expect(fresh.seconds == 2700 && fresh.needed == nil && fresh.samples == 0, "\(fresh)")
            #expect(fresh.windowStart == Self.eventStart.addingTimeInterval(-2700))

            let up = try await fleet.run("up", "--at", "2026-11-23T20:30")
            #expect(up.status == 0, "\(up)")
            let learned = try await Self.lead(fleet)
            #expect(learned.samples == 1)
            let needed = try #require(learned.needed)
            #expect(needed > 0 && needed < 300, "a sim scale-up plus 1s of safety: \(needed)")
            #expect(learned.seconds == 300, "the floor, not the \(needed)s learned")
            #expect(learned.windowStart == Self.eventStart.addingTimeInterval(-300))

            // Above the floor the learned lead is used as it is.
            let text = try String(contentsOfFile: fleet.config, encoding: .utf8)
            try text.replacingOccurrences(of: "lead_safety = \"1s\"", with: "lead_safety = \"20m\"").write(toFile: fleet.config, atomically: true, encoding: .utf8)
            let safer = try await Self.lead(fleet)
            #expect(safer.seconds > 1200 && safer.seconds < 1200 + 300, "20m of safety plus the scale-up: \(safer)")
            #expect(abs(safer.windowStart.timeIntervalSince(Self.eventStart.addingTimeInterval(-safer.seconds))) < 1)
        }
    }
}
