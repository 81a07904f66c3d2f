import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    /// Deletes the journal older than `cutoff`, keeping what the SQLite store keeps (see
    /// ``StateStore/pruneHistory(before:keepScaleUps:)``); acts only once the oldest run is a day older
    /// than the cutoff.
    /// - Warning: the deleted history is gone; `history` and the lead advice no longer see it.
    @discardableResult
    public func pruneHistory(before cutoff: Date, keepScaleUps: Int) async throws -> PruneResult {
        let fleet = self.fleet
        return try await write { sql in
            let oldest = try await sql.value("SELECT min(at) FROM runs WHERE fleet = \(fleet)", as: Date?.self) ?? nil
            guard let oldest, oldest < cutoff - 86_400 else { return PruneResult() }
            let doomed = try await sql.rows(
                """
                SELECT id FROM runs WHERE fleet = \(fleet) AND at < \(cutoff) AND outcome <> 'running'
                  AND id <> (SELECT max(id) FROM runs WHERE fleet = \(fleet))
                  AND id NOT IN (
                    SELECT id FROM runs WHERE fleet = \(fleet) AND outcome = 'ok' AND command <> 'down'
                      AND EXISTS (SELECT 1 FROM steps WHERE steps.run_id = runs.id AND steps.kind = 'create')
                    ORDER BY id DESC LIMIT \(keepScaleUps))
                """
            ).map { try $0.decode(Int64.self) }
            var result = PruneResult()
            result.steps = try await sql.rows("DELETE FROM steps WHERE run_id = ANY(\(doomed)) RETURNING id").count
            result.runs = try await sql.rows("DELETE FROM runs WHERE id = ANY(\(doomed)) RETURNING id").count
            result.alerts = try await sql.rows(
                """
                DELETE FROM alerts WHERE fleet = \(fleet) AND created_at < \(cutoff) AND (kind <> 'failure' OR resolved_at IS NOT NULL)
                RETURNING id
                """
            ).count
            return result
        }
    }
}
