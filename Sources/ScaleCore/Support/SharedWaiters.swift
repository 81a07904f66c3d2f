/// The waiters of a shared poll (``FleetWatcher``, Hetzner's action poller): who is still waiting, so
/// that the poll in flight is cancelled when the last one leaves.
public struct SharedWaiters: Sendable {
    private var next = 0
    private var present = Set<Int>()

    public init() {}

    /// A waiter arrives; the token identifies it when it leaves.
    public mutating func enter() -> Int {
        next += 1
        present.insert(next)
        return next
    }

    /// A waiter leaves (answered, failed or cancelled); leaving twice is harmless.
    public mutating func leave(_ token: Int) { present.remove(token) }

    public var isEmpty: Bool { present.isEmpty }
}
