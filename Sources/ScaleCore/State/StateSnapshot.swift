import Foundation

/// Everything a state store holds, every fleet of it, with its ids: what `scalectl migrate-state`
/// carries from one store to another. Locks are not carried: a move is made with the controllers stopped.
public struct StateSnapshot: Sendable {
    public var events: [(event: Event, createdAt: Date)] = []
    public var subscriptions: [(eventID: Int64, source: String, key: FeedKey)] = []
    public var feeds: [(source: String, state: FeedState)] = []
    public var overrides: [(fleet: String, override: Override, clearedAt: Date?)] = []
    public var runs: [(fleet: String, run: RunInfo)] = []
    public var steps: [(runID: Int64, step: StepInfo)] = []
    public var ledger: [(fleet: String, node: LedgerNode)] = []
    public var alerts: [(fleet: String, entry: AlertEntry)] = []

    public init() {}

    /// Rows per table, as ``StateCounting/stateCounts()`` counts them.
    public var counts: [String: Int] {
        [
            "events": events.count, "subscriptions": subscriptions.count, "calendar sources": feeds.count,
            "overrides": overrides.count, "runs": runs.count, "steps": steps.count, "ledger": ledger.count, "alerts": alerts.count,
        ]
    }
}

/// A store that can say how many rows each table holds (every fleet), for checking a move.
public protocol StateCounting: Sendable {
    /// Rows per table, keyed as ``StateSnapshot/counts``.
    func stateCounts() async throws -> [String: Int]
}
