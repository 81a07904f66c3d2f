import Foundation
import ScaleCore

/// A request budget as the last answer's `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
/// headers told it. Hetzner Cloud and DigitalOcean both send these three (DigitalOcean in lower case), each
/// with `RateLimit-Reset` as a Unix time.
///
/// A provider may also have a short-window limit its headers do not report (DigitalOcean: 250 requests a
/// minute besides 5000 an hour): the answers of the last window are counted here, and whichever budget
/// has fewer requests left is the one reported, so calls slow down before either refuses them.
actor HeaderRateLimit {
    /// The budget the headers reported last.
    private(set) var reported: RateLimitState?
    private let window: (limit: Int, length: TimeInterval)?
    /// When the answers of the current window came.
    private var answered: [Date] = []
    private var latest: Date?

    /// - Parameter window: a limit the headers do not report: at most `limit` requests in `length`.
    init(window: (limit: Int, length: Duration)? = nil) {
        self.window = window.map { ($0.limit, $0.length.timeInterval) }
    }

    /// Keeps the budget an answer reports (answers without the headers change nothing) and counts the
    /// answer in the short window.
    func record(_ headers: [String: String], now: Date) {
        if let observed = Self.state(from: headers, now: now) { reported = observed }
        guard let window else { return }
        answered.append(now)
        answered.removeAll { now.timeIntervalSince($0) >= window.length }
        latest = now
    }

    /// The tighter of the reported budget and the short window's.
    var state: RateLimitState? {
        guard let window, let latest, let oldest = answered.first else { return reported }
        let short = RateLimitState(
            limit: window.limit, remaining: max(0, window.limit - answered.count), reset: oldest.addingTimeInterval(window.length),
            observedAt: latest)
        guard let reported else { return short }
        return short.remaining < reported.remaining ? short : reported
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
