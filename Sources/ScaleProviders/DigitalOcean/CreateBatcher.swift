import Foundation
import ScaleCore

/// Gathers concurrent creates of droplets alike (same role, size, snapshot and region) into one
/// `POST /v2/droplets` with `names`, at most ``limit`` a call.
///
/// The first create of a kind leads a batch: it waits `window` for others to join, then sends the batch
/// in its own task (so the request belongs to its `ProviderCalls` operation) and hands each joiner its
/// own result. A batch that fills up is closed at once: the next create leads a new one.
actor CreateBatcher {
    struct Key: Hashable, Sendable {
        var role: String
        var size: String
        var image: String
        var region: String
    }

    typealias Outcome = Result<Node, ProviderError>
    typealias Send = @Sendable ([String]) async -> [String: Outcome]

    /// DigitalOcean creates at most ten droplets per call.
    static let limit = 10

    private struct Batch {
        var names: [String]
        var waiters: [String: CheckedContinuation<Outcome, Never>] = [:]
    }

    private let window: Duration
    private let clock: any ScaleClock
    private var open: [Key: Int] = [:]
    private var batches: [Int: Batch] = [:]
    private var nextID = 0
    /// Batches sent so far, with their sizes (for tests and logs).
    private(set) var sent: [Int] = []

    init(window: Duration, clock: any ScaleClock) {
        self.window = window
        self.clock = clock
    }

    /// Creates `name` with others of its kind; `send` makes the call for a whole batch.
    func create(_ name: String, key: Key, send: Send) async -> Outcome {
        if let id = open[key], var batch = batches[id], batch.names.count < Self.limit {
            batch.names.append(name)
            if batch.names.count >= Self.limit { open[key] = nil }
            batches[id] = batch
            return await withCheckedContinuation { continuation in batches[id]?.waiters[name] = continuation }
        }
        nextID += 1
        let id = nextID
        batches[id] = Batch(names: [name])
        open[key] = id
        try? await clock.sleep(for: window)
        if open[key] == id { open[key] = nil }
        let names = batches[id]?.names ?? [name]
        sent.append(names.count)
        let outcomes = await send(names)
        // Joiners park their continuation right after joining; every one has by now (the send suspended).
        let waiters = batches.removeValue(forKey: id)?.waiters ?? [:]
        for (joiner, continuation) in waiters { continuation.resume(returning: outcomes[joiner] ?? Self.missing(joiner)) }
        return outcomes[name] ?? Self.missing(name)
    }

    private static func missing(_ name: String) -> Outcome {
        .failure(DigitalOceanFailure.malformed("create \(name)", "the create answer did not list the droplet \(name)", requestID: nil))
    }
}
