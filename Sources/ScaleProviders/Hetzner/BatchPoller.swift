import Foundation
import ScaleCore

/// Shares polling among concurrent waiters: each round fetches every key someone is waiting on in one
/// request (`GET /actions?id=1&id=2`), so ten creates waiting on twenty actions cost one poll per
/// interval, not twenty.
///
/// A round sleeps one interval and then fetches; waiters that arrive during a round are included in the
/// next one. A failed fetch fails every waiter of that round.
actor BatchPoller<Key: Hashable & Comparable & Sendable, Value: Sendable> {
    /// Fetches the current value of every key asked, answering for each of them.
    typealias Fetch = @Sendable ([Key]) async throws -> [Key: Value]

    private let interval: Duration
    private let clock: any ScaleClock
    private let fetch: Fetch
    private var waiting: [Key: Int] = [:]
    private var observed: [Key: Value] = [:]
    private var inflight: Task<Void, any Error>?
    /// Rounds fetched so far (for tests and logs).
    private(set) var rounds = 0

    init(interval: Duration, clock: any ScaleClock, fetch: @escaping Fetch) {
        self.interval = interval
        self.clock = clock
        self.fetch = fetch
    }

    /// Polls until `decide` returns a value for the observations of `keys` (each fetched at least once
    /// since this call), or `timeout` passes (then throws `timedOut()`).
    func wait<T: Sendable>(
        for keys: [Key], timeout: Duration, timedOut: @Sendable () -> any Error,
        decide: @Sendable ([Key: Value]) throws -> T?
    ) async throws -> T {
        for key in keys {
            waiting[key, default: 0] += 1
            if waiting[key] == 1 { observed[key] = nil }
        }
        defer {
            for key in keys {
                waiting[key, default: 1] -= 1
                if waiting[key] == 0 {
                    waiting[key] = nil
                    observed[key] = nil
                }
            }
        }
        let deadline = clock.now() + timeout
        while true {
            let task = inflight ?? startRound()
            inflight = task
            do {
                try await task.value
            } catch {
                if inflight == task { inflight = nil }
                throw error
            }
            if inflight == task { inflight = nil }
            let seen = keys.compactMap { key in observed[key].map { (key, $0) } }
            if seen.count == keys.count, let result = try decide(Dictionary(seen, uniquingKeysWith: { first, _ in first })) {
                return result
            }
            if clock.now() >= deadline { throw timedOut() }
            try Task.checkCancellation()
        }
    }

    /// A round: sleeps one interval, then fetches every key waited on by then (so creates that start
    /// together share their first poll).
    private func startRound() -> Task<Void, any Error> {
        Task { [clock, interval, fetch] in
            try await clock.sleep(for: interval)
            let keys = self.waiting.keys.sorted()
            guard !keys.isEmpty else { return }
            self.record(try await fetch(keys))
        }
    }

    private func record(_ values: [Key: Value]) {
        rounds += 1
        for (key, value) in values where waiting[key] != nil { observed[key] = value }
    }
}
