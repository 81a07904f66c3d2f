import Foundation

/// What pruning removed.
public struct PruneResult: Sendable, Equatable {
    public var runs: Int
    public var steps: Int
    public var alerts: Int

    public init(runs: Int = 0, steps: Int = 0, alerts: Int = 0) {
        self.runs = runs
        self.steps = steps
        self.alerts = alerts
    }
}
