import Foundation

/// A client-side request rate that adapts to throttling, in the manner of the AWS SDKs' adaptive retry
/// mode: off until the provider first throttles; then a token bucket whose rate drops multiplicatively at
/// each throttle (to `beta` of what was being sent) and climbs back additively with each answered call.
/// Every request of a run takes a token from the one bucket, so parallel calls slow down together
/// instead of each retrying on its own.
struct AdaptiveRate: Sendable {
    /// Requests per second at least, whatever the throttles.
    var minimumRate = 0.5
    /// The share of the sending rate kept after a throttle.
    var beta = 0.7
    private(set) var enabled = false
    /// Requests per second the bucket refills at, once enabled.
    private(set) var rate = 0.0
    private var tokens = 0.0
    private var refilledAt: Date?
    /// Rate at the last throttle: the additive climb is a share of it.
    private var rateAtThrottle = 0.0
    /// Recent request instants, to measure the sending rate before the first throttle.
    private var sent: [Date] = []

    /// How long the next request waits for a token (zero when the rate is not limited); takes it.
    mutating func acquire(now: Date) -> Duration {
        sent.append(now)
        sent.removeAll { now.timeIntervalSince($0) > 2 }
        guard enabled else { return .zero }
        refill(now: now)
        tokens -= 1
        guard tokens < 0 else { return .zero }
        return Duration(timeInterval: -tokens / rate)
    }

    /// The provider throttled a request: send slower.
    mutating func throttled(now: Date) {
        let measured = max(Double(sent.count) / 2, minimumRate)
        let sending = enabled ? min(rate, measured) : measured
        refill(now: now)
        rate = max(minimumRate, sending * beta)
        rateAtThrottle = rate
        tokens = min(tokens, 0)
        enabled = true
    }

    /// A request was answered without throttling: climb back, a tenth of the throttled rate at a time.
    mutating func answered() {
        guard enabled else { return }
        rate += max(0.05, rateAtThrottle * 0.1)
    }

    private mutating func refill(now: Date) {
        if let refilledAt, rate > 0 {
            tokens = min(max(1, rate), tokens + max(0, now.timeIntervalSince(refilledAt)) * rate)
        }
        refilledAt = now
    }
}
