import Foundation
import GRDB
import ScaleCore
@testable import ScaleStore
import Testing

/// Issue 17, point 5: a step interrupted during an `--at` rehearsal three hours ahead was closed with the
/// real time of the takeover, a duration of minus three hours (`delete -10794.9s`).
struct InterruptedStepTests {
    @Test func anInterruptedStepHasNoNegativeDuration() async throws {
        let store = try Store(inMemoryFor: "t")
        let pretended = Date() + 3 * 3600
        let run = try await store.startRun(command: "down", at: pretended)
        let step = try await store.begin(StepEntry(runID: run.runID, role: "frontal", kind: "delete", detail: "delete t-frontal-1-1"), at: pretended)
        try await store.database.write { db in try store.markInterrupted(runID: run.runID, at: Date(), db: db) }
        let steps = try #require(try await store.history(limit: 1).first?.steps)
        let interrupted = try #require(steps.first { $0.id == step })
        #expect(interrupted.outcome == .interrupted)
        #expect((interrupted.seconds ?? 0) >= 0, "no negative duration: \(String(describing: interrupted.seconds))")
    }
}
