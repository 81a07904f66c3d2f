import Foundation
import ScaleCore

/// Shares polling among concurrent waiters: each round fetches every key someone is waiting on in one
/// request (`GET /actions?id=1&id=2`), so ten creates waiting on twenty actions cost one poll per
/// interval, not twenty.
///
/// A round sleeps one interval and then fetches; waiters that arrive during a round are included in the
/// next one. A fetch that fails after ``ProviderCalls`` retried it is one failed poll, counted once: the
/// waiters poll again next round (until their own timeout) unless the failure is final or the breaker
/// opened. When the last waiter leaves (cancelled), the round in flight is cancelled.
actor BatchPoller<Key: Hashable & Comparable & Sendable, Value: Sendable> {
    /// Fetches the current value of every key asked, answering for each of them.
    typealias Fetch = @Sendable ([Key]) async throws -> [Key: Value]

    private let interval: Duration
    private let clock: any ScaleClock
    private let fetch: Fetch
    private var waiting: [Key: Int] = [:]
    private var observed: [Key: Value] = [:]
    private var inflight: Task<Void, any Error>?
    private var waiters = SharedWaiters()
    /// Rounds fetched so far (for tests and logs).
    private(set) var rounds = 0
    /// Rounds whose fetch failed.
    private(set) var failedRounds = 0

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
        let waiter = waiters.enter()
        defer {
            waiters.leave(waiter)
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
                try await withTaskCancellationHandler {
                    try await task.value
                } onCancel: {
                    Task { await self.abandon(waiter) }
                }
                if inflight == task { inflight = nil }
            } catch {
                if inflight == task { inflight = nil }
                try Task.checkCancellation()
                guard let failure = error as? ProviderError, failure.isRetryable, failure.code != "circuit_open",
                      clock.now() < deadline
                else { throw error }
                continue
            }
            let seen = keys.compactMap { key in observed[key].map { (key, $0) } }
            if seen.count == keys.count, let result = try decide(Dictionary(seen, uniquingKeysWith: { first, _ in first })) {
                return result
            }
            if clock.now() >= deadline { throw timedOut() }
            try Task.checkCancellation()
        }
    }

    /// A waiter was cancelled: once no waiter is left, the round in flight is cancelled too.
    private func abandon(_ waiter: Int) {
        waiters.leave(waiter)
        if waiters.isEmpty {
            inflight?.cancel()
            inflight = nil
        }
    }

    /// A round: sleeps one interval, then fetches every key waited on by then (so creates that start
    /// together share their first poll).
    private func startRound() -> Task<Void, any Error> {
        Task { [clock, interval, fetch] in
            try await clock.sleep(for: interval)
            let keys = self.waiting.keys.sorted()
            guard !keys.isEmpty else { return }
            do {
                self.record(try await fetch(keys))
            } catch {
                await self.failed()
                throw error
            }
        }
    }

    private func failed() { failedRounds += 1 }

    private func record(_ values: [Key: Value]) {
        rounds += 1
        for (key, value) in values where waiting[key] != nil { observed[key] = value }
    }
}
