import Foundation
import Logging

/// Every provider call goes through here: pacing under the provider's request budget, retries with
/// capped exponential backoff and jitter (honouring Retry-After), a circuit breaker after consecutive
/// failures, and counts per kind.
public actor ProviderCalls {
    public struct Policy: Sendable, Hashable {
        /// Attempts per call, the first included.
        public var maxAttempts: Int
        public var baseDelay: Duration
        public var maxDelay: Duration
        /// After this many consecutive failed attempts the run stops calling the provider.
        public var breakerThreshold: Int

        public init(maxAttempts: Int = 5, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60), breakerThreshold: Int = 10) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.breakerThreshold = breakerThreshold
        }

        /// The wait before attempt `attempt + 1`: full jitter over `base * 2^attempt`, capped, but never
        /// shorter than what the provider asked for.
        public func delay(afterAttempt attempt: Int, requested: Duration?) -> Duration {
            let ceiling = min(maxDelay.timeInterval, baseDelay.timeInterval * pow(2, Double(max(0, attempt - 1))))
            let jittered = Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
            return Duration(timeInterval: max(jittered, requested?.timeInterval ?? 0))
        }
    }

    public let provider: String
    public let policy: Policy
    private let clock: any ScaleClock
    private let logger: Logger
    private let rateLimit: (any RateLimitReporting)?
    private var budget: RateBudget
    /// Total time calls waited to stay inside the provider's request budget.
    public private(set) var pacedFor: Duration = .zero
    public private(set) var counts: [String: Int] = [:]
    public private(set) var errorCounts: [String: Int] = [:]
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

    /// Runs `body`, retrying retryable failures. Use `attempts: 1` for calls that must not be repeated blindly.
    public func call<T: Sendable>(
        _ kind: String, _ operation: String, attempts: Int? = nil, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let limit = attempts ?? policy.maxAttempts
        var attempt = 0
        while true {
            attempt += 1
            try checkBreaker(operation)
            let paced = try await pace()
            counts[kind, default: 0] += 1
            do {
                let value = try await body()
                if paced { budget.answered() }
                consecutiveFailures = 0
                return value
            } catch is CancellationError {
                if paced { budget.answered() }
                throw CancellationError()
            } catch {
                if paced { budget.answered() }
                let failure = classify(error, operation: operation)
                errorCounts[kind, default: 0] += 1
                consecutiveFailures += 1
                lastFailure = failure
                guard case .yes(let after) = failure.retry, attempt < limit else { throw failure }
                let wait = policy.delay(afterAttempt: attempt, requested: after)
                logger.info(
                    "Provider call failed; retrying",
                    metadata: [
                        "provider.name": "\(provider)", "call.operation": "\(operation)", "error.code": "\(failure.code)",
                        "retry.attempt": "\(attempt)", "retry.wait": "\(DurationText.format(wait))",
                    ])
                try await clock.sleep(for: wait)
            }
        }
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

    /// Throws when the breaker is open; callers that retry by themselves check it between attempts.
    public func checkBreaker(_ operation: String) throws {
        guard consecutiveFailures >= policy.breakerThreshold else { return }
        throw ProviderError(
            provider: provider, operation: operation, code: "circuit_open",
            message: "stopped calling \(provider) after \(consecutiveFailures) consecutive failed calls; last: "
                + (lastFailure.map { "\($0.code): \($0.message)" } ?? "unknown"),
            hint: "the provider is failing or unreachable; check its status page, then run the command again"
        )
    }

    private func classify(_ error: any Error, operation: String) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if let error = error as? HTTPError { return ProviderError(error, provider: provider, operation: operation) }
        return ProviderError(provider: provider, operation: operation, code: "unexpected", message: "\(error)")
    }
}
