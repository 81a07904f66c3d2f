import Foundation

/// A provider's request budget as its last answer told it (Hetzner's `RateLimit-*` headers, ...).
public struct RateLimitState: Sendable, Hashable {
    /// Requests the budget holds when full.
    public var limit: Int
    /// Requests left when observed.
    public var remaining: Int
    /// When the budget is full again.
    public var reset: Date
    public var observedAt: Date

    public init(limit: Int, remaining: Int, reset: Date, observedAt: Date) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
        self.observedAt = observedAt
    }

    /// Seconds for one request to come back, from the refill the numbers imply.
    public var secondsPerRequest: Double {
        let missing = Double(limit - remaining)
        return missing > 0 ? max(reset.timeIntervalSince(observedAt), 1) / missing : 1
    }
}

/// A provider that reports its request budget, so calls can slow down before the provider refuses them.
public protocol RateLimitReporting: Sendable {
    func rateLimitState() async -> RateLimitState?
    /// True when the provider sends each HTTP request through ``ProviderCalls/request(_:_:effect:_:)``,
    /// which paces it; the operation around it then is not paced again.
    var pacesEachRequest: Bool { get }
}

extension RateLimitReporting {
    public var pacesEachRequest: Bool { false }
}

/// The client side of a request budget: from what the provider last reported, plus what refilled since,
/// minus the calls admitted and not yet answered (the report cannot know them), it makes a call wait
/// when fewer than `reserve` requests would be left.
struct RateBudget: Sendable {
    var reserve: Int
    /// Calls admitted whose answer has not come back.
    private(set) var inFlight = 0

    init(reserve: Int) { self.reserve = reserve }

    /// How long the next call must wait (zero when the budget allows it now); counts it as in flight.
    mutating func admit(_ state: RateLimitState, now: Date) -> Duration {
        let perRequest = state.secondsPerRequest
        let refilled = Int(max(0, now.timeIntervalSince(state.observedAt)) / perRequest)
        let available = min(state.limit, state.remaining + refilled) - inFlight
        inFlight += 1
        guard available <= reserve else { return .zero }
        return Duration(timeInterval: min(60, perRequest * Double(reserve - available + 1)))
    }

    /// The call's answer came back (or it failed): the provider's next report accounts for it.
    mutating func answered() { inFlight = max(0, inFlight - 1) }
}
