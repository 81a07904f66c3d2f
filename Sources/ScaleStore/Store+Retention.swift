import Foundation
import GRDB
import ScaleCore

extension Store {
    /// Deletes the journal older than `cutoff` (`[controller] history_keep` before now): runs with their
    /// steps, and alerts whose problem is over. Kept whatever their age: the node ledger (what `cost`
    /// prices), the latest `keepScaleUps` scale-ups with their steps (what the lead is learned from), the
    /// latest run, a run still going, and failures not yet resolved (dedupe and "resolved" need them).
    /// Cheap when there is nothing to do: it acts only once the oldest run is `slack` older than the
    /// cutoff, and then deletes everything past the cutoff at once.
    /// - Warning: the deleted history is gone; `history` and the lead advice no longer see it.
    @discardableResult
    public func pruneHistory(before cutoff: Date, keepScaleUps: Int) async throws -> PruneResult {
        try await pruneHistory(before: cutoff, keepScaleUps: keepScaleUps, slack: .seconds(86_400))
    }

    func pruneHistory(before cutoff: Date, keepScaleUps: Int, slack: Duration) async throws -> PruneResult {
        let fleet = self.fleet
        return try await write { [self] db in
            let oldest = try Date.fetchOne(db, sql: "SELECT min(at) FROM run WHERE fleet = ?", arguments: [fleet])
            guard let oldest, oldest < cutoff - slack.timeInterval else { return PruneResult() }
            let keep = """
                SELECT id FROM run WHERE fleet = :fleet AND outcome = 'ok' AND command != 'down'
                  AND EXISTS (SELECT 1 FROM step WHERE step.runId = run.id AND step.kind = 'create')
                ORDER BY id DESC LIMIT :scaleUps
                """
            let doomed = """
                SELECT id FROM run WHERE fleet = :fleet AND at < :cutoff AND outcome != 'running'
                  AND id != (SELECT max(id) FROM run WHERE fleet = :fleet) AND id NOT IN (\(keep))
                """
            let arguments: StatementArguments = ["fleet": fleet, "cutoff": cutoff, "scaleUps": keepScaleUps]
            var result = PruneResult()
            result.steps = try Int.fetchOne(db, sql: "SELECT count(*) FROM step WHERE runId IN (\(doomed))", arguments: arguments) ?? 0
            try db.execute(sql: "DELETE FROM step WHERE runId IN (\(doomed))", arguments: arguments)
            try db.execute(sql: "DELETE FROM run WHERE id IN (\(doomed))", arguments: arguments)
            result.runs = db.changesCount
            try db.execute(
                sql: "DELETE FROM alert WHERE fleet = ? AND createdAt < ? AND (kind != 'failure' OR resolvedAt IS NOT NULL)",
                arguments: [fleet, cutoff])
            result.alerts = db.changesCount
            return result
        }
    }
}
