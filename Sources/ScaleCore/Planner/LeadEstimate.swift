import Foundation

/// How long a scale-up takes to be fully ready, learned from past runs: per role a high percentile of
/// recent full scale-ups, plus a safety margin.
public struct LeadEstimate: Sendable, Hashable {
    /// Role → the percentile of its recent scale-up durations.
    public var perRole: [String: Duration]
    /// How many runs the estimate rests on.
    public var samples: Int
    public var safety: Duration

    /// The lead the slowest role needs, safety included; nil without history.
    public var needed: Duration? { perRole.values.max().map { $0 + safety } }

    /// - Parameters:
    ///   - durations: per past run, role → how long that role took from its first step to ready.
    ///   - percentile: 0.9 for p90.
    public init(durations: [[String: Duration]], percentile: Double = 0.9, safety: Duration) {
        var byRole: [String: [Duration]] = [:]
        for run in durations { for (role, duration) in run { byRole[role, default: []].append(duration) } }
        perRole = byRole.mapValues { values in
            let sorted = values.sorted()
            let rank = Int((percentile * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(max(rank, 0), sorted.count - 1)]
        }
        samples = durations.count
        self.safety = safety
    }

    /// Learns from the journal's scale-ups: per run, per role, the time from its first step to the end
    /// of its last readiness gate, for the runs that succeeded and created that role's nodes.
    public init(history: [RunHistory], percentile: Double = 0.9, safety: Duration) {
        let durations = history.compactMap { run, steps -> [String: Duration]? in
            guard run.outcome == .ok, run.command != Command.down.rawValue else { return nil }
            var result: [String: Duration] = [:]
            let roleSteps = steps.filter { $0.target == nil && $0.role != nil && $0.outcome != .interrupted }
            for (role, steps) in Dictionary(grouping: roleSteps, by: { $0.role ?? "" }) {
                let kinds = steps.map { Step.Kind(rawValue: $0.kind) }
                guard kinds.contains(.create), let first = steps.map(\.startedAt).min(),
                      let ready = steps.last(where: { Step.Kind(rawValue: $0.kind)?.isReadinessGate == true })?.endedAt,
                      ready >= first
                else { continue }
                result[role] = ready.since(first)
            }
            return result.isEmpty ? nil : result
        }
        self.init(durations: durations, percentile: percentile, safety: safety)
    }

    /// The instant a scale-up must start to be ready at `start`.
    public func mustStart(before start: Date) -> Date? { needed.map { start - $0 } }
}
