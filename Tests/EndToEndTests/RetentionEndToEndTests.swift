import Foundation
import ScaleTesting
import Testing

/// `[controller] history_keep` through the real executable: a run prunes the history older than that.
@Suite(.serialized, .awaitsCleanup)
struct RetentionEndToEndTests {
    @Test func aRunPrunesHistoryOlderThanHistoryKeep() async throws {
        let fleet = try TestFleet(extraController: "history_keep = \"7d\"")
        atEnd { await fleet.cleanUp() }
        for at in ["2026-11-10T12:00", "2026-11-10T13:00", "2026-11-17T12:00"] {
            let run = try await fleet.run("reconcile", "--at", at)
            #expect(run.status == 0, "\(run)")
        }
        let before = try await fleet.run("history")
        #expect(before.stdout.split(separator: "\n").filter { $0.hasPrefix("#") }.count == 3, "nothing is older than 7 days and a day yet: \(before.stdout)")

        let later = try await fleet.run("reconcile", "--at", "2026-11-23T12:00")
        #expect(later.status == 0, "\(later)")
        let after = try await fleet.run("history")
        #expect(!after.stdout.contains("2026-11-10"), "the runs of 10 November are pruned: \(after.stdout)")
        #expect(after.stdout.split(separator: "\n").filter { $0.hasPrefix("#") }.count == 2, "\(after.stdout)")
    }
}
