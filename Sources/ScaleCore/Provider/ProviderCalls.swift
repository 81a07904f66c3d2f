import Foundation
import Logging
import Synchronization

/// Every provider call goes through here: pacing under the provider's request budget, a client-side
/// rate that adapts to throttling, retries with capped exponential backoff and jitter (honouring
/// Retry-After), a circuit breaker after consecutive failures, and counts per kind.
///
/// Two levels use it. The executor wraps each operation (`list nodes`, `delete n-3`) in ``call(_:_:attempts:_:body:)``;
/// providers that speak HTTP send each request through ``request(_:_:effect:_:)``, which finds the
/// operation's `ProviderCalls` in a task-local. Then the request level paces, retries and counts (a
/// shared poll that fails counts once, whatever the number of waiters), reads are retried freely and a
/// mutation is sent again only when the provider's answer says it was not carried out; the operation
/// level neither repeats nor counts what the request level settled.
public actor ProviderCalls {
    public struct Policy: Sendable, Hashable {
        /// Attempts per call, the first included.
        public var maxAttempts: Int
        public var baseDelay: Duration
        public var maxDelay: Duration
        /// After this many consecutive failed calls the run stops calling the provider.
        public var breakerThreshold: Int
        /// Throttled attempts per call (they do not use up `maxAttempts`).
        public var maxThrottledAttempts: Int

        public init(
            maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60), breakerThreshold: Int = 10,
            maxThrottledAttempts: Int = 12
        ) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.breakerThreshold = breakerThreshold
            self.maxThrottledAttempts = maxThrottledAttempts
        }

        /// The wait before attempt `attempt + 1`: full jitter over `base * 2^attempt`, capped, but never
        /// shorter than what the provider asked for.
        public func delay(afterAttempt attempt: Int, requested: Duration?) -> Duration {
            let ceiling = min(maxDelay.timeInterval, baseDelay.timeInterval * pow(2, Double(max(0, attempt - 1))))
            let jittered = Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
            return Duration(timeInterval: max(jittered, requested?.timeInterval ?? 0))
        }
    }

    /// What repeating a request does.
    public enum Effect: Sendable, Hashable {
        /// Changes nothing: retried freely.
        case read
        /// Changes something, and sending it twice is the same as sending it once (AWS's
        /// `TerminateInstances`, `RegisterTargets`): retried freely.
        case idempotent
        /// Changes something: sent again only when the provider answered that it did not carry it out.
        case mutation
    }

    /// The operation-level `ProviderCalls` of the current task, for providers' requests.
    @TaskLocal static var current: ProviderCalls?
    /// Requests made inside the current operation-level call.
    @TaskLocal static var requestTally: RequestTally?

    public let provider: String
    public let policy: Policy
    private let clock: any ScaleClock
    private let logger: Logger
    private let rateLimit: (any RateLimitReporting)?
    private var budget: RateBudget
    private var adaptive = AdaptiveRate()
    /// Total time calls waited to stay inside the provider's request budget or the adaptive rate.
    public private(set) var pacedFor: Duration = .zero
    public private(set) var counts: [String: Int] = [:]
    public private(set) var errorCounts: [String: Int] = [:]
    /// Requests the provider throttled (429, `RequestLimitExceeded`, ...).
    public private(set) var throttled = 0
    private var consecutiveFailures = 0
    private var lastFailure: ProviderError?

    /// - Parameters:
    ///   - rateLimit: where the provider's request budget is read; calls wait when fewer than `reserve`
    ///     requests would be left.
    public init(
        provider: String, policy: Policy = Policy(), clock: any ScaleClock, logger: Logger,
        rateLimit: (any RateLimitReporting)? = nil, reserve: Int = 10
    ) {
        self.provider = provider
        self.policy = policy
        self.clock = clock
        self.logger = logger
        self.rateLimit = rateLimit
        self.budget = RateBudget(reserve: reserve)
    }

    public var totalCalls: Int { counts.values.reduce(0, +) }

    /// The provider's request budget as last reported, if it reports one.
    public var lastRateLimit: RateLimitState? {
        get async { await rateLimit?.rateLimitState() }
    }

    /// Runs one operation, retrying retryable failures. Use `attempts: 1` for calls that must not be
    /// repeated blindly. Requests the operation sends through ``request(_:_:effect:_:)`` are paced,
    /// retried and counted there; this level then only repeats what they did not settle.
    public func call<T: Sendable>(
        _ kind: String, _ operation: String, attempts: Int? = nil, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let limit = attempts ?? policy.maxAttempts
        var attempt = 0
        while true {
            attempt += 1
            try checkBreaker(operation)
            let tally = RequestTally()
            let paced = rateLimit?.pacesEachRequest == false ? try await pace() : false
            // Counted as one call now; given back if the provider's requests were counted one by one.
            counts[kind, default: 0] += 1
            do {
                let value = try await Self.$current.withValue(self) {
                    try await Self.$requestTally.withValue(tally) { try await body() }
                }
                if paced { budget.answered() }
                if tally.count == 0 { succeeded() } else { uncount(kind) }
                return value
            } catch is CancellationError {
                if paced { budget.answered() }
                if tally.count > 0 { uncount(kind) }
                throw CancellationError()
            } catch {
                if paced { budget.answered() }
                if tally.count > 0 { uncount(kind) }
                let failure = classify(error, operation: operation)
                if failure.settled || failure.code == "circuit_open" { throw failure }
                record(failure, kind: kind)
                guard case .yes(let after) = failure.retry, attempt < limit else { throw failure }
                try await backOff(failure, attempt: attempt, after: after, operation: operation)
            }
        }
    }

    private func uncount(_ kind: String) {
        counts[kind, default: 1] -= 1
        if counts[kind] == 0 { counts[kind] = nil }
    }

    /// Sends one request of the current operation through its `ProviderCalls` (see ``call(_:_:attempts:_:body:)``);
    /// outside any, runs it once.
    public static func request<T: Sendable>(
        _ kind: String, _ operation: String, effect: Effect, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        guard let calls = current else { return try await body() }
        requestTally?.add()
        return try await calls.request(kind, operation, effect: effect, body)
    }

    /// One request: paced, retried (reads freely, mutations only when refused), counted once per attempt.
    /// A failure that leaves here is marked settled.
    public func request<T: Sendable>(
        _ kind: String, _ operation: String, effect: Effect, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        var failedAttempts = 0
        var throttledAttempts = 0
        while true {
            try checkBreaker(operation)
            let paced = try await pace()
            try await adapt()
            counts[kind, default: 0] += 1
            do {
                let value = try await body()
                if paced { budget.answered() }
                adaptive.answered()
                succeeded()
                return value
            } catch is CancellationError {
                if paced { budget.answered() }
                throw CancellationError()
            } catch {
                if paced { budget.answered() }
                var failure = classify(error, operation: operation)
                failure.settled = true
                record(failure, kind: kind)
                guard case .yes(let after) = failure.retry, failure.code != "circuit_open" else { throw failure }
                let attempt: Int
                if failure.isThrottle {
                    throttledAttempts += 1
                    attempt = throttledAttempts
                    guard throttledAttempts < policy.maxThrottledAttempts else { throw failure }
                } else {
                    failedAttempts += 1
                    attempt = failedAttempts
                    guard failedAttempts < policy.maxAttempts, effect != .mutation || !failure.outcomeUnknown else { throw failure }
                }
                try await backOff(failure, attempt: attempt, after: after, operation: operation)
            }
        }
    }

    /// Throws when the breaker is open; callers that retry by themselves check it between attempts.
    public func checkBreaker(_ operation: String) throws {
        guard consecutiveFailures >= policy.breakerThreshold else { return }
        throw ProviderError(
            provider: provider, operation: operation, code: "circuit_open",
            message: "stopped calling \(provider) after \(consecutiveFailures) consecutive failed calls; the last: "
                + (lastFailure.map { failure in
                    "\(failure.operation): \(failure.code)" + (failure.status.map { " (HTTP \($0))" } ?? "") + ": \(failure.message)"
                } ?? "unknown"),
            hint: "the provider is failing or unreachable; check its status page, then run the command again",
            settled: true
        )
    }

    // MARK: Workings

    /// Counts a failure. Throttles slow the adaptive rate and never count toward the breaker; passing
    /// failures count (consecutively); a definite refusal is an answer, so the streak ends.
    private func record(_ failure: ProviderError, kind: String) {
        errorCounts[kind, default: 0] += 1
        if failure.isThrottle {
            throttled += 1
            adaptive.throttled(now: clock.now())
        } else if failure.isRetryable {
            consecutiveFailures += 1
            lastFailure = failure
        } else if failure.status != nil {
            consecutiveFailures = 0
        }
    }

    private func succeeded() {
        consecutiveFailures = 0
    }

    private func backOff(_ failure: ProviderError, attempt: Int, after: Duration?, operation: String) async throws {
        let wait = policy.delay(afterAttempt: attempt, requested: after)
        logger.info(
            "Provider call failed; retrying",
            metadata: [
                "provider.name": "\(provider)", "call.operation": "\(operation)", "error.code": "\(failure.code)",
                "retry.attempt": "\(attempt)", "retry.wait": "\(DurationText.format(wait))",
            ])
        try await clock.sleep(for: wait)
    }

    /// Waits for a token of the adaptive rate, once the provider has throttled.
    private func adapt() async throws {
        let wait = adaptive.acquire(now: clock.now())
        guard wait > .zero else { return }
        pacedFor += wait
        try await clock.sleep(for: wait)
    }

    /// Waits as long as the request budget asks before a call; true when the call counts against it.
    private func pace() async throws -> Bool {
        guard let rateLimit, let state = await rateLimit.rateLimitState() else { return false }
        let wait = budget.admit(state, now: clock.now())
        guard wait > .zero else { return true }
        pacedFor += wait
        logger.debug("Pacing provider calls", metadata: ["provider.name": "\(provider)", "rate.remaining": "\(state.remaining)", "rate.wait": "\(DurationText.format(wait))"])
        do {
            try await clock.sleep(for: wait)
        } catch {
            budget.answered()
            throw error
        }
        return true
    }

    private func classify(_ error: any Error, operation: String) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if let error = error as? HTTPError { return ProviderError(error, provider: provider, operation: operation) }
        return ProviderError(provider: provider, operation: operation, code: "unexpected", message: "\(error)")
    }
}

/// Requests sent inside one operation-level call.
final class RequestTally: Sendable {
    private let counter = Mutex(0)
    var count: Int { counter.withLock { $0 } }
    func add() { counter.withLock { $0 += 1 } }
}
