import Foundation

/// The controller's notion of time, injected everywhere so tests and `--at` rehearsals use virtual time.
public protocol ScaleClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Suspends for `duration` of this clock's time.
    func sleep(for duration: Duration) async throws
}

extension ScaleClock {
    /// Suspends until `instant`, returning at once when it has passed.
    public func sleep(until instant: Date) async throws {
        let wait = instant.timeIntervalSince(now())
        if wait > 0 { try await sleep(for: Duration(timeInterval: wait)) }
    }
}

/// Real time.
public struct SystemClock: ScaleClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// Real time that started at a pretended instant: `--at 2026-11-23T20:20` rehearses that evening,
/// and time flows on from there as it would.
public struct RehearsalClock: ScaleClock {
    public let origin: Date
    private let started: ContinuousClock.Instant

    public init(pretending origin: Date) {
        self.origin = origin
        self.started = .now
    }

    public func now() -> Date { origin + (ContinuousClock.now - started) }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
