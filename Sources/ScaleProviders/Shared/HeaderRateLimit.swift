import Foundation
import ScaleCore

/// A request budget as the last answer's `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
/// headers told it. Hetzner Cloud and DigitalOcean both send these three (DigitalOcean in lower case), each
/// with `RateLimit-Reset` as a Unix time.
actor HeaderRateLimit {
    private(set) var state: RateLimitState?

    /// Keeps the budget an answer reports; answers without the headers change nothing.
    func record(_ headers: [String: String], now: Date) {
        guard let observed = Self.state(from: headers, now: now) else { return }
        state = observed
    }

    /// The budget in a set of (lower-case) headers, or nil when they are missing or not numbers.
    ///
    /// `RateLimit-Reset` is a wall-clock Unix time; it is moved into the frame of `now` (the controller's
    /// clock, which an `--at` rehearsal shifts), or a rehearsal days away would read it as days to wait.
    static func state(from headers: [String: String], now: Date, wallClock: Date = Date()) -> RateLimitState? {
        func number(_ name: String) -> Int? { headers[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        guard let limit = number("ratelimit-limit"), let remaining = number("ratelimit-remaining"),
              let reset = number("ratelimit-reset")
        else { return nil }
        let untilReset = TimeInterval(reset) - wallClock.timeIntervalSince1970
        return RateLimitState(limit: limit, remaining: remaining, reset: now.addingTimeInterval(untilReset), observedAt: now)
    }

    /// How long a 429 asks to wait: `Retry-After` (seconds) when given, else the time for one request to
    /// come back according to the `RateLimit-*` headers (waiting for the whole budget, up to an hour,
    /// would be far too long), at least one second.
    static func retryAfter(_ response: HTTPResponse, now: Date) -> Duration? {
        if let text = response.headers["retry-after"], let seconds = Double(text.trimmingCharacters(in: .whitespaces)) {
            return Duration(timeInterval: max(0, seconds))
        }
        guard let state = state(from: response.headers, now: now) else { return nil }
        return Duration(timeInterval: max(1, state.secondsPerRequest))
    }
}
