import Foundation
import Logging
import ScaleCore
import ScaleTesting
import Synchronization
import Testing

/// A clock whose sleeps return at once and are recorded: retry waits without waiting.
final class RecordingClock: ScaleClock {
    let slept = Mutex<[Duration]>([])
    func now() -> Date { Date(timeIntervalSince1970: 1_800_000_000) }
    func sleep(for duration: Duration) async throws { slept.withLock { $0.append(duration) } }

    /// Waits (briefly, in real time) until `count` sleeps were recorded.
    func waitUntilSlept(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while slept.withLock({ $0.count }) < count {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// Holds callers until opened.
actor AsyncGate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }
    func open() {
        isOpen = true
        waiting.forEach { $0.resume() }
        waiting = []
    }
}

/// Answers with the queued results in order, counting calls.
final class Script: Sendable {
    let results: Mutex<[Result<Int, ProviderError>]>
    let calls = Mutex(0)
    init(_ results: [Result<Int, ProviderError>]) { self.results = Mutex(results) }
    func next() throws -> Int {
        calls.withLock { $0 += 1 }
        return try results.withLock { $0.removeFirst() }.get()
    }
}

struct ProviderCallsTests {
    static func failure(_ code: String, retry: ProviderError.Retry) -> ProviderError {
        ProviderError(provider: "test", operation: "op", code: code, message: "m", retry: retry)
    }

    @Test func retriesPassingFailuresThenSucceeds() async throws {
        let clock = RecordingClock()
        let calls = ProviderCalls(provider: "test", clock: clock, logger: TestTools.quietLogger)
        let script = Script([.failure(Self.failure("server_error", retry: .yes(after: nil))), .failure(Self.failure("rate_limit_exceeded", retry: .yes(after: .seconds(7)))), .success(42)])
        let value = try await calls.call("list", "list") { try script.next() }
        #expect(value == 42)
        #expect(script.calls.withLock { $0 } == 3)
        let waits = clock.slept.withLock { $0 }
        #expect(waits.count == 2)
        #expect(waits[1] >= .seconds(7), "Retry-After is honoured")
        #expect(await calls.counts["list"] == 3)
        #expect(await calls.errorCounts["list"] == 2)
    }

    @Test func doesNotRetryWhatWillNotPass() async throws {
        let calls = ProviderCalls(provider: "test", clock: RecordingClock(), logger: TestTools.quietLogger)
        let script = Script([.failure(Self.failure("resource_limit_exceeded", retry: .no)), .success(1)])
        await #expect(throws: ProviderError.self) { try await calls.call("create", "create") { try script.next() } }
        #expect(script.calls.withLock { $0 } == 1)
    }

    @Test func givesUpAfterTheAttemptLimit() async throws {
        let policy = ProviderCalls.Policy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1), breakerThreshold: 100)
        let calls = ProviderCalls(provider: "test", policy: policy, clock: RecordingClock(), logger: TestTools.quietLogger)
        let script = Script(Array(repeating: .failure(Self.failure("unavailable", retry: .yes(after: nil))), count: 5))
        await #expect(throws: ProviderError.self) { try await calls.call("list", "list") { try script.next() } }
        #expect(script.calls.withLock { $0 } == 3)
    }

    @Test func opensTheCircuitAfterConsecutiveFailures() async throws {
        let policy = ProviderCalls.Policy(maxAttempts: 1, baseDelay: .zero, maxDelay: .zero, breakerThreshold: 3)
        let calls = ProviderCalls(provider: "test", policy: policy, clock: RecordingClock(), logger: TestTools.quietLogger)
        let script = Script(Array(repeating: .failure(Self.failure("server_error", retry: .yes(after: nil))), count: 10))
        for _ in 0..<3 { _ = try? await calls.call("list", "list") { try script.next() } }
        do {
            _ = try await calls.call("list", "list") { try script.next() }
            Issue.record("the fourth call should not reach the provider")
        } catch let error as ProviderError {
            #expect(error.code == "circuit_open")
            #expect(error.message.contains("3 consecutive failed calls"))
        }
        #expect(script.calls.withLock { $0 } == 3)
    }

    /// Attempt → the bounds of the wait after it, in seconds, for a base of 1 s and a cap of 60 s: full
    /// jitter over the upper half of 1, 2, 4, ... seconds, capped at 60.
    @Test(arguments: [
        (1, 0.5, 1.0), (2, 1.0, 2.0), (3, 2.0, 4.0), (4, 4.0, 8.0), (5, 8.0, 16.0), (6, 16.0, 32.0),
        (7, 30.0, 60.0), (8, 30.0, 60.0), (20, 30.0, 60.0),
    ])
    func backoffGrowsAndIsCapped(attempt: Int, low: Double, high: Double) {
        let policy = ProviderCalls.Policy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(60))
        let delays = (0..<200).map { _ in policy.delay(afterAttempt: attempt, requested: nil).timeInterval }
        #expect(delays.allSatisfy { $0 >= low - 0.001 && $0 <= high + 0.001 }, "attempt \(attempt): \(delays.min()!)...\(delays.max()!)")
        #expect(Set(delays).count > 1, "the wait is jittered")
    }

    /// A provider's Retry-After wins over a shorter backoff, even above the cap; a shorter one does not
    /// shorten the backoff.
    @Test func retryAfterIsAFloor() {
        let policy = ProviderCalls.Policy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(60))
        #expect(policy.delay(afterAttempt: 1, requested: .seconds(90)) == .seconds(90))
        #expect(policy.delay(afterAttempt: 1, requested: .seconds(7)) == .seconds(7))
        let short = policy.delay(afterAttempt: 3, requested: .milliseconds(100)).timeInterval
        #expect(short >= 2 && short <= 4)
    }
}

/// A provider budget frozen at one observation.
struct FixedBudget: RateLimitReporting {
    let state: RateLimitState
    func rateLimitState() async -> RateLimitState? { state }
}

/// A provider whose report drops by one with every answer, as Hetzner's headers do.
final class SpendingBudget: RateLimitReporting {
    let state: Mutex<RateLimitState>
    init(_ state: RateLimitState) { self.state = Mutex(state) }
    func rateLimitState() async -> RateLimitState? { state.withLock { $0 } }
    /// One call was answered: a new report, one request fewer.
    func answer() {
        state.withLock {
            $0.remaining -= 1
            $0.observedAt = $0.observedAt.addingTimeInterval(0.001)
        }
    }
}

struct RateBudgetTests {
    @Test func callsWaitBeforeTheBudgetRunsOut() async throws {
        let clock = RecordingClock()
        // 3600 an hour, 12 left, full again in an hour: one request comes back about every second.
        let budget = SpendingBudget(RateLimitState(limit: 3600, remaining: 12, reset: clock.now() + .seconds(3588), observedAt: clock.now()))
        let calls = ProviderCalls(provider: "test", clock: clock, logger: TestTools.quietLogger, rateLimit: budget, reserve: 10)
        for _ in 0..<4 { _ = try await calls.call("list", "list") { budget.answer() } }
        let waits = clock.slept.withLock { $0 }
        // 12 left, reserve 10: two calls go at once, then each waits for the requests to come back.
        #expect(waits.count == 2)
        #expect(abs(waits[0].timeInterval - 1) < 0.05)
        #expect(abs(waits[1].timeInterval - 2) < 0.05)
        #expect(await calls.pacedFor.timeInterval > 2.9)
    }

    /// Calls in flight are not in the provider's report yet: they must count even when a newer report
    /// arrives meanwhile, or parallel calls overdraw the budget (the benchmark saw 429s at N = 500
    /// before this was fixed).
    @Test func callsInFlightCountAgainstTheBudget() async throws {
        let clock = RecordingClock()
        let budget = SpendingBudget(RateLimitState(limit: 3600, remaining: 13, reset: clock.now() + .seconds(3587), observedAt: clock.now()))
        let calls = ProviderCalls(provider: "test", clock: clock, logger: TestTools.quietLogger, rateLimit: budget, reserve: 10)
        let gate = AsyncGate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // A slow call stays in flight: the provider's reports below do not count it.
            group.addTask { try await calls.call("create", "create") { await gate.wait(); budget.answer() } }
            let deadline = ContinuousClock.now + .seconds(10)
            while await calls.counts["create"] == nil {
                guard ContinuousClock.now < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(1))
            }
            for _ in 0..<3 { _ = try await calls.call("list", "list") { budget.answer() } }
            await gate.open()
            try await group.waitForAll()
        }
        // 13 left, reserve 10, one in flight: the third quick call is the one that must wait.
        #expect(clock.slept.withLock { $0 }.count == 1)
    }

    @Test func aFullBudgetNeverWaits() async throws {
        let clock = RecordingClock()
        let state = RateLimitState(limit: 3600, remaining: 3600, reset: clock.now(), observedAt: clock.now())
        let calls = ProviderCalls(provider: "test", clock: clock, logger: TestTools.quietLogger, rateLimit: FixedBudget(state: state))
        for _ in 0..<100 { _ = try await calls.call("list", "list") { 1 } }
        #expect(clock.slept.withLock { $0 }.isEmpty)
    }
}
