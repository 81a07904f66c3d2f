import Foundation
import ScaleCore

/// The project's request budget as the last answer's `RateLimit-Limit`, `RateLimit-Remaining` and
/// `RateLimit-Reset` headers told it.
actor HetznerRateLimit {
    private(set) var state: RateLimitState?

    /// Keeps the budget an answer reports; answers without the headers change nothing.
    func record(_ headers: [String: String], now: Date) {
        guard let observed = Self.state(from: headers, now: now) else { return }
        state = observed
    }

    /// The budget in a set of (lower-case) headers, or nil when they are missing or not numbers.
    static func state(from headers: [String: String], now: Date) -> RateLimitState? {
        func number(_ name: String) -> Int? { headers[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        guard let limit = number("ratelimit-limit"), let remaining = number("ratelimit-remaining"),
              let reset = number("ratelimit-reset")
        else { return nil }
        return RateLimitState(
            limit: limit, remaining: remaining, reset: Date(timeIntervalSince1970: TimeInterval(reset)), observedAt: now)
    }
}
