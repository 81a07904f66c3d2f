/// Runs `body` in a task of its own, which the caller's cancellation does not reach, and waits for it.
///
/// For the writes that must land while a run is being stopped (closing its steps and the run itself):
/// the store refuses writes from a cancelled task, so written from the stopping task they would be lost,
/// leaving `running` rows behind and the lock held.
public func uncancelled<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await body() }.value
}
