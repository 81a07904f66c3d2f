import Foundation
import Logging
import ScaleCore
import ScaleProviders
import ScaleStore
import ScaleTesting
import Synchronization

/// Progress updates kept for assertions.
final class CollectedProgress: ProgressSink {
    let updates = Mutex<[ProgressUpdate]>([])
    func report(_ update: ProgressUpdate) { updates.withLock { $0.append(update) } }
}

/// The executor wired to the sim provider on an in-memory store: plan, run, look.
struct Harness {
    let store: Store
    let fleet: FleetSettings
    var sim: SimSettings
    let directory: TemporaryDirectory
    var execution = ExecutionSettings(
        concurrency: 8, pollInterval: .milliseconds(50), bootTimeout: .seconds(10), healthTimeout: .seconds(10),
        goneTimeout: .seconds(10), probeInterval: .milliseconds(50))
    let event = Event(
        id: 1, name: "Gala", start: Date() + .seconds(1800), end: Date() + .seconds(9000), timeZone: "Europe/Madrid")

    init(frontal: Int = 3, celery: Int = 2, sim: SimSettings? = nil) throws {
        store = try Store(inMemoryFor: "m")
        directory = try TemporaryDirectory("scalectl-sim")
        fleet = FleetSettings(
            fleet: "m", timeZone: TimeZone(identifier: "Europe/Madrid")!, lead: .seconds(2700), margin: .seconds(1800),
            drain: .milliseconds(50),
            roles: [
                RoleSettings(name: "frontal", count: frontal, serverType: "cpx31", snapshot: SnapshotRule(selector: "role=frontal", maxAge: .seconds(30 * 3600)), loadBalancer: "lb"),
                RoleSettings(name: "celery", count: celery, serverType: "cpx41", snapshot: SnapshotRule(selector: "role=celery", maxAge: .seconds(30 * 3600))),
            ])
        self.sim = sim ?? SimSettings(apiLatency: .milliseconds(1), bootTime: .milliseconds(200), bootSpread: .milliseconds(100), healthDelay: .milliseconds(100), deleteTime: .milliseconds(100))
    }

    func cloud(fleet name: String = "m") throws -> SimCloud {
        try SimCloud(fleet: name, settings: sim, database: store.database, calendar: SystemClock(), nodeLogDirectory: directory.path, logger: TestTools.quietLogger)
    }

    /// Observes, plans `command` now and executes the plan; returns the report and the calls made.
    func run(_ command: Command, force: Bool = false) async throws -> (plan: Plan, report: ExecutionReport, calls: ProviderCalls, progress: CollectedProgress) {
        let cloud = try cloud()
        let calls = ProviderCalls(provider: "sim", policy: .init(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)), clock: SystemClock(), logger: TestTools.quietLogger)
        var observation = Observation(nodes: try await cloud.listNodes())
        observation.balancers["lb"] = try await cloud.members(of: "lb", role: "frontal")
        try store.reconcileLedger(with: observation.nodes, at: Date())
        let plan = Planner.plan(PlannerInput(command: command, force: force, now: Date(), settings: fleet, events: [event], observed: observation))
        let run = try store.startRun(command: command.rawValue, at: Date())
        let progress = CollectedProgress()
        let executor = Executor(
            fleet: fleet, settings: execution, provider: cloud, balancers: cloud, calls: calls, journal: store,
            prober: Prober(http: HTTPClient()), progress: progress, clock: SystemClock(), runID: run.runID, logger: TestTools.quietLogger)
        let report = await executor.execute(plan)
        try store.finishRun(run.runID, outcome: report.succeeded ? .ok : .failed, summary: nil, error: nil)
        return (plan, report, calls, progress)
    }

    func nodes() async throws -> [Node] { try await cloud().listNodes() }
}
