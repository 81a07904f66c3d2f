import Foundation
@testable import ScaleCore
import ScaleTesting
import Synchronization
import Testing

/// Issue 12: a shared poll is cancelled when its last waiter leaves, and not while one still waits.
struct SharedPollCancellationTests {
    /// A cloud whose listing never answers until cancelled, and says when it was.
    final class StuckCloud: CloudProvider {
        let name = "stuck"
        let listings = Mutex(0)
        let cancelled = Mutex(0)
        func newestSnapshot(role: String, selector: String) async throws -> Snapshot? { nil }
        func listNodes() async throws -> [Node] {
            listings.withLock { $0 += 1 }
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelled.withLock { $0 += 1 }
                throw error
            }
            return []
        }
        func node(named name: String) async throws -> Node? { nil }
        func createNode(_ spec: NodeSpec) async throws -> Node { throw CancellationError() }
        func deleteNode(_ node: Node) async throws {}
    }

    static func until(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func theListingIsCancelledWhenTheLastWaiterLeaves() async throws {
        let cloud = StuckCloud()
        let watcher = FleetWatcher(
            provider: cloud, calls: ProviderCalls(provider: "stuck", clock: SystemClock(), logger: TestTools.quietLogger),
            clock: SystemClock(), interval: .milliseconds(10))
        let first = Task { try await watcher.next(after: 0) }
        let second = Task { try await watcher.next(after: 0) }
        try await Self.until { cloud.listings.withLock { $0 } == 1 }
        first.cancel()
        try await Task.sleep(for: .milliseconds(50))
        #expect(cloud.cancelled.withLock { $0 } == 0, "one waiter is left: the listing goes on")
        second.cancel()
        try await Self.until { cloud.cancelled.withLock { $0 } == 1 }
        #expect(cloud.listings.withLock { $0 } == 1, "one shared listing for both waiters")
    }
}
