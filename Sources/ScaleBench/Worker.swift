import Foundation
import Logging
import ScaleCore
import ScaleSim
import ScaleStore

/// The latency model: a Hetzner-like cloud with times scaled down so a run takes seconds.
struct LatencyModel: Codable, Sendable {
    var apiLatency = 0.05
    var bootTime = 3.0
    var bootSpread = 1.0
    var healthDelay = 1.0
    var readinessDelay = 0.5
    var deleteTime = 1.0
    var perHour = 3600
    var burst = 3600
    /// Requests left in the budget when the run starts (a project whose budget was already used).
    var initialBudget: Int?

    var sim: SimSettings {
        var settings = SimSettings(
            apiLatency: .seconds(apiLatency), bootTime: .seconds(bootTime), bootSpread: .seconds(bootSpread),
            healthDelay: .seconds(healthDelay), deleteTime: .seconds(deleteTime))
        settings.readinessDelay = .seconds(readinessDelay)
        settings.rateLimit = SimRateLimit(perHour: perHour, burst: burst, initial: initialBudget)
        return settings
    }

    /// The slowest node's own create + boot + ready time: what no controller can beat.
    func upLimit(names: [String]) -> Double {
        apiLatency + bootTime + bootSpread * (names.map(SimCloud.spread(of:)).max() ?? 0) + max(healthDelay, readinessDelay)
    }

    /// Detach, delete, gone: the physical floor of a teardown.
    var downLimit: Double { apiLatency + apiLatency + deleteTime }
}

/// What one worker process measured.
struct Measurement: Codable, Sendable {
    var nodes: Int
    var concurrency: Int
    var upSeconds: Double
    var downSeconds: Double
    var upLimit: Double
    var downLimit: Double
    var upCPU: Double
    var downCPU: Double
    var peakMemoryMB: Double
    var calls: [String: Int]
    var upCalls: Int
    var downCalls: Int
    var rejected: Int
    var pacedSeconds: Double
    var succeeded: Bool
    var failure: String?
    /// Step kind and seconds, for up then down.
    var timings: [String]
}

/// Reads a node's readiness from the sim's physics (`ready_at`), so the benchmark models the readiness
/// delay without running a process per node.
struct SimReadiness: ReadinessProbing {
    func check(_ check: ReadinessCheck, node: Node, role: String) async -> String? {
        guard let at = node.templateValues["ready_at"].flatMap(Double.init) else { return "not booted" }
        return Date().timeIntervalSince1970 >= at ? nil : "not ready yet"
    }
}

/// Runs up then down for `nodes` nodes in this process and measures them.
enum Worker {
    static func run(nodes: Int, concurrency: Int, model: LatencyModel) async throws -> Measurement {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scalectl-bench-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let store = try Store(path: "\(directory)/bench.sqlite", fleet: "b")
        let clock = SystemClock()
        let sim = try SimCloud(fleet: "b", settings: model.sim, statePath: "\(directory)/bench-sim.sqlite", calendar: clock, logger: logger)
        let fleet = FleetSettings(
            fleet: "b", timeZone: .gmt, lead: .seconds(3600), margin: .seconds(3600), drain: .zero,
            roles: [
                RoleSettings(
                    name: "frontal", count: nodes, serverType: "cpx31", snapshot: SnapshotRule(selector: "role=frontal", maxAge: .seconds(86_400 * 2)),
                    loadBalancer: "b-lb", ready: ReadinessCheck(kind: .http, template: "http://{private_ip}/", within: .seconds(120))),
            ])
        let execution = ExecutionSettings(
            concurrency: concurrency, pollInterval: .milliseconds(500), bootTimeout: .seconds(600), healthTimeout: .seconds(600),
            goneTimeout: .seconds(600), probeInterval: .milliseconds(250), replaceLimit: 0)
        _ = try await store.addEvent(NewEvent(name: "Bench", start: Date() + .seconds(600), end: Date() + .seconds(1200), timeZone: "UTC"))
        let coordinator = RunCoordinator(
            store: store, bundle: .of(sim, rateLimit: sim), fleet: fleet, execution: execution, retry: ProviderCalls.Policy(),
            alerts: AlertDispatcher(channels: [], log: store, clock: clock, logger: logger), prober: SimReadiness(), progress: Silent(),
            clock: clock, logger: logger)

        func phase(_ command: Command) async throws -> (seconds: Double, cpu: Double, calls: ProviderCalls, report: ExecutionReport) {
            let cpuBefore = cpuSeconds()
            let started = ContinuousClock.now
            let result = try await coordinator.run(command, force: true)
            guard let report = result.report, let calls = result.calls else {
                throw BenchError(text: "\(command.rawValue) did nothing: \(result.error ?? result.summary ?? "no plan")")
            }
            return ((ContinuousClock.now - started).timeInterval, cpuSeconds() - cpuBefore, calls, report)
        }

        let up = try await phase(.up)
        let down = try await phase(.down)
        var calls: [String: Int] = [:]
        for (kind, count) in await up.calls.counts { calls[kind, default: 0] += count }
        for (kind, count) in await down.calls.counts { calls[kind, default: 0] += count }
        let rejected = try await sim.counter("rejected")
        let names = (1...max(nodes, 1)).map { NodeName.make(fleet: "b", role: "frontal", event: "1", index: $0) }
        let failures = up.report.failures + down.report.failures
        return Measurement(
            nodes: nodes, concurrency: concurrency, upSeconds: up.seconds, downSeconds: down.seconds,
            upLimit: model.upLimit(names: names), downLimit: model.downLimit, upCPU: up.cpu, downCPU: down.cpu,
            peakMemoryMB: peakMemoryMB(), calls: calls, upCalls: await up.calls.totalCalls, downCalls: await down.calls.totalCalls,
            rejected: rejected, pacedSeconds: (await up.calls.pacedFor + down.calls.pacedFor).timeInterval,
            succeeded: failures.isEmpty, failure: failures.first?.description,
            timings: (up.report.roles + down.report.roles).flatMap { $0.timings.map { "\($0.step) \(String(format: "%.2f", $0.seconds))" } })
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func peakMemoryMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}

struct Silent: ProgressSink {
    func report(_ update: ProgressUpdate) {}
}
