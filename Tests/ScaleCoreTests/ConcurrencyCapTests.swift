import Foundation
import Logging
import ScaleCore
import ScaleTesting
import Testing

/// `[controller] concurrency` bounds the provider mutations in flight. A cloud holds every create and
/// delete until as many are in flight as the cap allows (or every unfinished one has arrived), and
/// counts the most it held at once: with a working cap that is exactly the cap; without one, the calls
/// already started arrive while the first ones are held, and the count goes over.
struct ConcurrencyCapTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func fleet(count: Int) -> FleetSettings {
        FleetSettings(
            fleet: "c", timeZone: .gmt, lead: .seconds(3600), margin: .seconds(600), drain: .zero,
            roles: [RoleSettings(name: "web", count: count, serverType: "small", snapshot: SnapshotRule(selector: "role=web", maxAge: .seconds(86400)))])
    }

    static let event = Event(id: 1, name: "Show", start: now + .seconds(1800), end: now + .seconds(5400), timeZone: "UTC")

    static func execute(_ command: Command, cloud: HeldCloud, count: Int, cap: Int, force: Bool = false) async throws -> ExecutionReport {
        let fleet = Self.fleet(count: count)
        let observed = Observation(nodes: try await cloud.listNodes())
        let plan = Planner.plan(PlannerInput(command: command, force: force, now: now, settings: fleet, events: [event], observed: observed))
        let clock = RecordingClock()
        let executor = Executor(
            fleet: fleet, settings: ExecutionSettings(concurrency: cap, pollInterval: .milliseconds(1)), bundle: ProviderBundle(provider: cloud),
            calls: ProviderCalls(provider: cloud.name, clock: clock, logger: TestTools.quietLogger), journal: NoJournal(),
            prober: Prober(http: HTTPClient()), progress: NoProgress(), clock: clock, runID: 1, logger: TestTools.quietLogger)
        return await executor.execute(plan, observed: observed)
    }

    @Test(arguments: [(10, 3), (7, 2), (4, 1)])
    func createsAndDeletesStayWithinTheCap(count: Int, cap: Int) async throws {
        let cloud = HeldCloud(cap: cap)
        await cloud.expect(count)
        let up = try await Self.execute(.up, cloud: cloud, count: count, cap: cap)
        #expect(up.succeeded, "\(up)")
        #expect(up.created.count == count)
        #expect(await cloud.mostInFlight == cap, "creates: at most \(cap) in flight, and the cap is used")

        await cloud.expect(count)
        let down = try await Self.execute(.down, cloud: cloud, count: count, cap: cap, force: true)
        #expect(down.succeeded, "\(down)")
        #expect(down.deleted.count == count)
        #expect(await cloud.mostInFlight == cap, "deletes: at most \(cap) in flight, and the cap is used")
    }
}

/// A cloud that holds mutations (creates, deletes) until `min(cap, unfinished)` are in flight, and
/// records the most in flight at once. Nodes are running as soon as they are created.
actor HeldCloud: CloudProvider {
    nonisolated let name = "held"
    let cap: Int
    private var nodes: [String: Node] = [:]
    private var nextID = 1
    private var unfinished = 0
    private var inFlight = 0
    private var held: [CheckedContinuation<Void, Never>] = []
    private(set) var mostInFlight = 0

    init(cap: Int) { self.cap = cap }

    /// The next `count` mutations form one round: counts start afresh.
    func expect(_ count: Int) {
        unfinished = count
        mostInFlight = 0
    }

    /// Every mutation waits; once `min(cap, unfinished)` are in flight, a release is queued behind
    /// whatever work is already runnable, so calls a broken cap let through arrive (and are counted)
    /// before the held ones go on.
    private func mutation<T: Sendable>(_ body: () -> T) async -> T {
        inFlight += 1
        mostInFlight = max(mostInFlight, inFlight)
        await withCheckedContinuation { continuation in
            held.append(continuation)
            releaseWhenFull()
        }
        let value = body()
        inFlight -= 1
        unfinished -= 1
        if !held.isEmpty { releaseWhenFull() }
        return value
    }

    private func releaseWhenFull() {
        guard inFlight >= min(cap, unfinished) else { return }
        Task { await self.releaseHeld() }
    }

    private func releaseHeld() {
        let waiting = held
        held = []
        waiting.forEach { $0.resume() }
    }

    func newestSnapshot(role: String, selector: String) async throws -> Snapshot? {
        Snapshot(id: "img-\(role)", name: "\(role)-daily", createdAt: ConcurrencyCapTests.now)
    }

    func listNodes() async throws -> [Node] { nodes.values.sorted { $0.name < $1.name } }

    func node(named name: String) async throws -> Node? { nodes[name] }

    func createNode(_ spec: NodeSpec) async throws -> Node {
        await mutation {
            let node = Node(id: String(nextID), name: spec.name, state: .running, labels: spec.labels, privateIP: "10.0.0.\(nextID)", serverType: spec.serverType)
            nextID += 1
            nodes[spec.name] = node
            return node
        }
    }

    func deleteNode(_ node: Node) async throws {
        await mutation { nodes[node.name] = nil }
    }
}

struct NoJournal: Journal {
    func begin(_ step: StepEntry, at instant: Date) async throws -> Int64 { 0 }
    func end(_ step: Int64, outcome: StepOutcome, error: String?, at instant: Date) async throws {}
    func record(_ entry: LedgerEntry) async throws {}
}

struct NoProgress: ProgressSink {
    func report(_ update: ProgressUpdate) {}
}
