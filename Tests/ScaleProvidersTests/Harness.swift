import Foundation
import Logging
import ScaleCore
import ScaleSim
import ScaleStore
import ScaleTesting
import Synchronization
import Testing

/// Progress updates kept for assertions.
final class CollectedProgress: ProgressSink {
    let updates = Mutex<[ProgressUpdate]>([])
    func report(_ update: ProgressUpdate) { updates.withLock { $0.append(update) } }
}

/// The run coordinator wired to the sim cloud on an in-memory state store, on virtual time that moves by
/// itself (``SteppingClock``): polls, timeouts and the sim's boot times are logic, not wall time.
struct Harness {
    let store: Store
    var fleet: FleetSettings
    /// `max_nodes` for the whole fleet.
    var fleetCap: Int? {
        get { fleet.maxNodes }
        set { fleet.maxNodes = newValue }
    }
    var sim: SimSettings
    let directory: TemporaryDirectory
    let clock = SteppingClock()
    var execution = ExecutionSettings(
        concurrency: 8, pollInterval: .milliseconds(50), bootTimeout: .seconds(10), healthTimeout: .seconds(10),
        goneTimeout: .seconds(10), probeInterval: .milliseconds(50))

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

    /// The sim cloud as fleet `name` sees it: one state file, whichever fleet asks.
    func cloud(fleet name: String = "m") throws -> SimCloud {
        try SimCloud(fleet: name, settings: sim, statePath: directory.file("sim.sqlite"), calendar: clock, physics: clock, logger: TestTools.quietLogger)
    }

    /// The coordinator of fleet `m` as configured now.
    func coordinator(progress: any ProgressSink = CollectedProgress()) throws -> RunCoordinator {
        let cloud = try cloud()
        return RunCoordinator(
            store: store, bundle: .of(cloud, rateLimit: cloud), fleet: fleet, execution: execution,
            retry: .init(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50)),
            alerts: AlertDispatcher(channels: [], log: store, clock: clock, logger: TestTools.quietLogger),
            prober: Prober(http: HTTPClient()), progress: progress, clock: clock, logger: TestTools.quietLogger)
    }

    /// Runs `command` through the coordinator, with the event "Gala" on from half an hour from the start.
    func run(_ command: Command, force: Bool = false) async throws -> (plan: Plan, report: ExecutionReport, calls: ProviderCalls, progress: CollectedProgress) {
        if try await store.events().isEmpty {
            let start = clock.now() + .seconds(1800)
            _ = try await store.addEvent(NewEvent(name: "Gala", start: start, end: start + .seconds(7200), timeZone: "Europe/Madrid"))
        }
        let progress = CollectedProgress()
        let result = try await coordinator(progress: progress).run(command, force: force)
        let plan = try #require(result.plan, "the run made no plan: \(result.error ?? "")")
        let calls = try #require(result.calls)
        return (plan, result.report ?? .nothing(plan.mode), calls, progress)
    }

    func nodes() async throws -> [Node] { try await cloud().listNodes() }
}
