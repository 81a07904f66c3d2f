import Foundation
import ScaleCore
import ScaleStore
import ScaleTesting
import Testing

/// `history_keep`: old runs and steps go; the ledger, the scale-ups the lead is learned from, the
/// latest run and unresolved problems stay.
@Suite(.awaitsCleanup)
struct RetentionTests {
    static let day = 86_400.0
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// One finished run at `daysAgo`, with a `create` step when it scaled up.
    static func run(_ store: any StateStore, daysAgo: Double, scaleUp: Bool = false, command: String = "reconcile") async throws -> Int64 {
        let at = now - daysAgo * day
        let start = try await store.startRun(command: command, at: at)
        try await store.note(runID: start.runID, kind: "plan", detail: "up: the window covers now", at: at)
        if scaleUp {
            let step = try await store.begin(StepEntry(runID: start.runID, role: "frontal", kind: "create", detail: "creating 1"), at: at)
            try await store.end(step, outcome: .ok, error: nil, at: at + 60)
            try await store.record(.intent(name: "m-frontal-1-\(start.runID)", role: "frontal", event: "1", serverType: "cpx31", runID: start.runID, at: at))
            try await store.record(.created(name: "m-frontal-1-\(start.runID)", id: "\(start.runID)", at: at + 30))
        }
        try await store.finishRun(start.runID, outcome: .ok, summary: "s", error: nil)
        return start.runID
    }

    @Test(arguments: Backend.allCases) func prunesOldRunsButKeepsWhatCostAndTheLeadNeed(_ backend: Backend) async throws {
        let store = try await backend.open()
        var scaleUps: [Int64] = []
        for index in 0..<60 {  // 60 scale-ups, 200 to 141 days ago
            scaleUps.append(try await Self.run(store, daysAgo: 200 - Double(index), scaleUp: true))
        }
        for index in 0..<300 {  // idle reconciles, 140 to 0.5 days ago
            _ = try await Self.run(store, daysAgo: 140 - Double(index) * 0.465)
        }
        let ledgerBefore = try await store.ledger()
        let result = try await store.pruneHistory(before: Self.now - 90 * Self.day, keepScaleUps: 50)

        let history = try await store.history(limit: 10_000)
        let cutoff = Self.now - 90 * Self.day
        #expect(result.runs == 10 + 108, "10 oldest scale-ups beyond the 50 kept, and the idle runs older than 90 days: \(result)")
        #expect(history.count == 360 - result.runs)
        #expect(history.allSatisfy { $0.run.at >= cutoff || $0.steps.contains { $0.kind == "create" } }, "only scale-ups outlive the cutoff")
        #expect(try await store.scaleUps(limit: 50).map(\.run.id) == Array(scaleUps.suffix(50).reversed()), "the lead's 50 scale-ups, with their steps")
        #expect(try await store.scaleUps(limit: 50).allSatisfy { $0.steps.contains { $0.kind == "create" } })
        #expect(try await store.ledger() == ledgerBefore, "cost prices the ledger, which is never pruned")
        #expect(result.steps == 10 * 2 + 108, "the pruned runs' steps went with them")

        // An hour later nothing new has aged past the cutoff.
        #expect(try await store.pruneHistory(before: cutoff + 3600, keepScaleUps: 50) == PruneResult())
    }

    @Test(arguments: Backend.allCases) func keepsTheLatestAndARunningRun(_ backend: Backend) async throws {
        let store = try await backend.open()
        _ = try await Self.run(store, daysAgo: 400)
        let last = try await Self.run(store, daysAgo: 300)
        #expect(try await store.pruneHistory(before: Self.now - 90 * Self.day, keepScaleUps: 50).runs == 1)
        #expect(try await store.history(limit: 10).map(\.run.id) == [last], "the latest run stays, whatever its age")
        let running = try await store.startRun(command: "up", at: Self.now - 200 * Self.day)
        #expect(try await store.pruneHistory(before: Self.now - 90 * Self.day, keepScaleUps: 50).runs == 1)
        #expect(try await store.history(limit: 10).map(\.run.id) == [running.runID])
    }
}
