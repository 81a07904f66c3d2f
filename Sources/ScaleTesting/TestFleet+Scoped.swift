import Foundation

extension TestFleet {
    /// Runs `body` with this fleet, then awaits `cleanUp()` whether `body` returned or threw, so the
    /// teardown never overlaps the next test.
    public func whileAlive<T: Sendable>(_ body: (TestFleet) async throws -> T) async throws -> T {
        do {
            let value = try await body(self)
            await cleanUp()
            return value
        } catch {
            await cleanUp()
            throw error
        }
    }
}
