import Foundation
import ScaleCore

/// The week on the page: the windows from a day ago to seven days ahead, and the number of nodes the
/// controller holds over that time as steps: the past part from the node ledger (what was created and
/// deleted, when), the future part from the plan (``Planner/windows(_:settings:overrides:)`` and
/// ``Planner/desiredCount(of:in:overrides:)``, the same functions a run uses).
struct WeekTimeline: Sendable {
    struct Step: Sendable, Hashable {
        var at: Date
        var count: Int
    }

    var from: Date
    var to: Date
    var now: Date
    /// Windows that overlap `from ..< to`, in time order.
    var windows: [Window]
    /// Nodes alive from `from` up to `now`, a step at each change.
    var past: [Step]
    /// Nodes the plan wants from `now` to `to`, a step at each window edge.
    var future: [Step]

    init(now: Date, windows: [Window], overrides: [Override], roles: [RoleSettings], lives: [ServerLife], daysAhead: Int = 7) {
        self.now = now
        from = now.addingTimeInterval(-86_400)
        to = now.addingTimeInterval(Double(daysAhead) * 86_400)
        let (from, to) = (from, to)
        self.windows = windows.filter { $0.end > from && $0.start < to }
        past = Self.alive(lives, from: from, now: now)
        let planned: (Date) -> Int = { instant in
            guard let window = windows.first(where: { $0.covers(instant) }) else { return 0 }
            return roles.map { Planner.desiredCount(of: $0, in: window, overrides: overrides) }.reduce(0, +)
        }
        let edges = windows.flatMap { [$0.start, $0.end] }.filter { $0 > now && $0 < to }.sorted()
        future = ([now] + edges).map { Step(at: $0, count: planned($0)) }
    }

    /// How many of the ledger's servers existed at `from` and after each later create or delete up to `now`.
    static func alive(_ lives: [ServerLife], from: Date, now: Date) -> [Step] {
        let changes = lives.flatMap { life in [(life.start, 1)] + (life.end.map { [($0, -1)] } ?? []) }
        var count = changes.filter { $0.0 <= from }.map(\.1).reduce(0, +)
        var steps = [Step(at: from, count: count)]
        for (instant, change) in changes.filter({ $0.0 > from && $0.0 <= now }).sorted(by: { $0.0 < $1.0 }) {
            count += change
            if steps.last?.at == instant { steps[steps.count - 1].count = count } else { steps.append(Step(at: instant, count: count)) }
        }
        return steps
    }

    /// The most nodes at any step, at least 1 (the chart's scale).
    var peak: Int { max(1, (past + future).map(\.count).max() ?? 0) }
}
