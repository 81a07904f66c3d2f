import Synchronization
import Testing

/// Clean-up that a test awaits before it ends: the fleet torn down, the fake server stopped, before
/// the next test starts, instead of in an unawaited `Task` that overlaps it (or never runs when the
/// test process exits first).
///
/// Put the trait on the suite (`@Suite(.awaitsCleanup)`) and register with ``atEnd(_:sourceLocation:)``
/// right after making the thing to clean up; the actions run last first, whether the test passed,
/// failed or threw.
public struct AwaitedCleanup: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let registry = CleanupRegistry()
        try await CleanupRegistry.$current.withValue(registry) {
            do {
                try await function()
            } catch {
                await registry.runAll()
                throw error
            }
            await registry.runAll()
        }
    }
}

extension Trait where Self == AwaitedCleanup {
    /// Each test awaits what it registered with ``atEnd(_:sourceLocation:)`` before it ends.
    public static var awaitsCleanup: Self { Self() }
}

/// The clean-up actions of the test running in this task.
final class CleanupRegistry: Sendable {
    @TaskLocal static var current: CleanupRegistry?

    private let actions = Mutex<[@Sendable () async -> Void]>([])

    func add(_ action: @escaping @Sendable () async -> Void) { actions.withLock { $0.append(action) } }

    func runAll() async {
        let registered = actions.withLock { actions in
            defer { actions = [] }
            return actions
        }
        for action in registered.reversed() { await action() }
    }
}

/// Runs `action` when the current test ends, awaited before the next one starts. The test's suite must
/// carry ``AwaitedCleanup`` (`@Suite(.awaitsCleanup)`); without it the test fails here rather than leak.
public func atEnd(_ action: @escaping @Sendable () async -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let registry = CleanupRegistry.current else {
        Issue.record("atEnd needs @Suite(.awaitsCleanup) on the test's suite, or nothing would await the clean-up", sourceLocation: sourceLocation)
        return
    }
    registry.add(action)
}
