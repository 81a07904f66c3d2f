import Foundation
import ScaleCore
import Synchronization

/// Time that moves only when a test says so: sleepers wake when ``advance(to:)`` passes their deadline.
public final class VirtualClock: ScaleClock {
    private struct Sleeper {
        var id: UUID
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let state: Mutex<(now: Date, sleepers: [Sleeper])>

    public init(_ start: Date) { state = Mutex((start, [])) }

    public func now() -> Date { state.withLock { $0.now } }

    public func sleep(for duration: Duration) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let due = state.withLock { state -> Bool in
                    let deadline = state.now + duration
                    guard deadline > state.now else { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if due { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// The earliest deadline of a sleeper, if any sleeps.
    public var nextDeadline: Date? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    /// Moves time to `instant` and wakes every sleeper due by then.
    public func advance(to instant: Date) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        due.forEach { $0.continuation.resume() }
    }

    /// Waits (in real time, briefly) until at least `count` tasks sleep on this clock.
    public func waitForSleepers(_ count: Int = 1, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.sleepers.count }) < count {
            guard ContinuousClock.now < deadline else { throw CLIError(description: "no task went to sleep on the virtual clock within \(timeout)") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// Virtual time that moves by itself: each sleep moves the clock to the sleeper's deadline (never back)
/// and returns at once. Code that waits by sleeping on its clock (polls, back-offs, timeouts, the sim's
/// physics) runs through hours of its own time in milliseconds, and what it counts depends on its logic,
/// not on how loaded the machine is.
public final class SteppingClock: ScaleClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        current.withLock { now in
            let deadline = now + duration
            if deadline > now { now = deadline }
        }
        await Task.yield()
        try Task.checkCancellation()
    }
}
