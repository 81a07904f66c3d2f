import Foundation

/// Lists the fleet for every waiting pipeline at once: one provider call per poll interval, whatever
/// the number of roles and nodes waiting. The interval grows by half after each listing, up to four
/// times the base, and starts again from the base when a new wait begins: a boot that takes minutes
/// costs a handful of calls, not one every few seconds. When the last waiter leaves (cancelled), the
/// listing in flight is cancelled.
actor FleetWatcher {
    private let provider: any CloudProvider
    private let calls: ProviderCalls
    private let clock: any ScaleClock
    private let interval: Duration
    private var pace: Duration
    private var generation = 0
    private var latest: [Node] = []
    private var lastFetch: Date?
    private var inflight: Task<[Node], any Error>?
    private var waiters = SharedWaiters()

    init(provider: any CloudProvider, calls: ProviderCalls, clock: any ScaleClock, interval: Duration) {
        self.provider = provider
        self.calls = calls
        self.clock = clock
        self.interval = interval
        self.pace = interval
    }

    /// Starts from a listing made just before (the run's observation): waits that it already satisfies
    /// end without a call, and the first call comes one interval later.
    func seed(_ nodes: [Node]) {
        guard generation == 0 else { return }
        generation = 1
        latest = nodes
        lastFetch = clock.now()
    }

    /// A new wait begins: poll at the base interval again.
    func resetPace() { pace = interval }

    /// A listing newer than generation `seen`: shared with other waiters, and never sooner than one
    /// interval after the previous listing.
    func next(after seen: Int) async throws -> (generation: Int, nodes: [Node]) {
        if generation > seen { return (generation, latest) }
        let task = inflight ?? startFetch()
        inflight = task
        let waiter = waiters.enter()
        defer { waiters.leave(waiter) }
        do {
            let nodes = try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                Task { await self.abandon(waiter) }
            }
            if inflight == task {
                inflight = nil
                generation += 1
                latest = nodes
                lastFetch = clock.now()
            }
            return (generation, latest)
        } catch {
            if inflight == task { inflight = nil }
            throw error
        }
    }

    /// A waiter was cancelled: once no waiter is left, the listing in flight is cancelled too.
    private func abandon(_ waiter: Int) {
        waiters.leave(waiter)
        if waiters.isEmpty {
            inflight?.cancel()
            inflight = nil
        }
    }

    /// A listing started after this call (after what anyone has seen so far).
    func fresh() async throws -> [Node] {
        try await next(after: generation).nodes
    }

    /// The newest listing, fetching one if there is none yet.
    func current() async throws -> [Node] {
        generation > 0 ? latest : try await next(after: 0).nodes
    }

    private func startFetch() -> Task<[Node], any Error> {
        let earliest = lastFetch.map { $0 + pace }
        if lastFetch != nil { pace = PollPace.next(after: pace, base: interval) }
        return Task { [clock, calls, provider] in
            if let earliest { try await clock.sleep(until: earliest) }
            return try await calls.call("list", "list nodes") { try await provider.listNodes() }
        }
    }
}

/// How waits poll: from the base interval, half again longer after each poll, at most four times the
/// base; a boot that takes minutes costs a handful of calls.
enum PollPace {
    static func next(after pace: Duration, base: Duration) -> Duration { min(pace * 1.5, base * 4) }
}
