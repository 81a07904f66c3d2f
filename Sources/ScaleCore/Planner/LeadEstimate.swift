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

    /// The instant a scale-up must start to be ready at `start`.
    public func mustStart(before start: Date) -> Date? { needed.map { start - $0 } }
}
