import Foundation
import ScaleAlerts
import ScaleCore
import ScaleStore

/// `scalectl up`, `down` and `reconcile`: take the lock, observe, plan, execute, alert, journal.
public struct Control: Sendable {
    public let context: AppContext
    public let notifiers: [any Notifier]
    /// Called as each step starts; fault-injection tests end the process there (see `SCALECTL_CRASH_AT`).
    public var crashPoint: @Sendable (String) -> Void = { _ in }

    public init(context: AppContext, notifiers: [any Notifier] = []) {
        self.context = context
        self.notifiers = notifiers
    }

    public func run(_ command: Command, force: Bool = false) async throws -> ExitStatus {
        try await perform(command, force: force).status
    }

    /// Runs the command and returns everything it learned (the daemon's metrics use it).
    public func perform(_ command: Command, force: Bool = false) async throws -> ControlOutcome {
        let console = context.console
        let clock = context.clock
        let store = context.store
        // Credentials and the provider first: a configuration problem must change nothing, not even the lock.
        let bundle = try context.providerBundle()
        let calls = try context.providerCalls()
        let alerts = try context.alertDispatcher()
        let start = try store.startRun(command: command.rawValue, at: clock.now())
        try? store.pruneHistory(before: clock.now() - context.configuration.historyKeep, keepScaleUps: LeadAdvice.window)
        if let dead = start.takenOver {
            console.problem("warning: took over the lock of \(dead.description), whose process is gone; that run is marked interrupted")
        }
        let heartbeat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(60))
                try? store.refreshLock(runID: start.runID)
            }
        }
        defer { heartbeat.cancel() }

        let plan: Plan
        var observed = Observation(nodes: [])
        do {
            observed = try await context.observe(calls)
            try store.reconcileLedger(with: observed.nodes, at: clock.now())
            plan = Planner.plan(try context.plannerInput(command, force: force, observed: observed))
            try store.note(runID: start.runID, kind: "plan", detail: "\(plan.mode.rawValue): \(plan.reason)", at: clock.now())
        } catch is CancellationError {
            try? store.finishRun(start.runID, outcome: .interrupted, summary: nil, error: "stopped by a shutdown signal before acting")
            return ControlOutcome(status: .failed, runID: start.runID, calls: calls)
        } catch {
            let failure = StepFailure(
                role: "fleet", step: "observe", summary: "could not observe the fleet: \(error)",
                providerError: error as? ProviderError, action: "changed nothing")
            await alert([failure], command: command, plan: nil, runID: start.runID, dispatcher: alerts)
            try? store.finishRun(start.runID, outcome: .failed, summary: nil, error: failure.summary)
            if context.console.json { console.emit(RunOutput(runID: start.runID, command: command, plan: nil, report: nil, failure: failure.summary)) }
            return ControlOutcome(status: .failed, runID: start.runID, calls: calls)
        }

        let violations = Planner.capViolations(plan, settings: context.fleet)
        guard violations.isEmpty else {
            let message = violations.joined(separator: "; ") + ". Nothing was changed: lower the event's counts or the override, or raise max_nodes."
            try? store.finishRun(start.runID, outcome: .refused, summary: nil, error: message)
            throw InputError("refusing the plan: " + message)
        }

        guard plan.mode != .idle else {
            try store.finishRun(start.runID, outcome: .idle, summary: plan.reason, error: nil)
            if console.json {
                console.emit(RunOutput(runID: start.runID, command: command, plan: plan, report: nil, failure: nil))
            } else {
                console.line("\(command.rawValue): nothing to do: \(plan.reason)")
            }
            return ControlOutcome(status: .ok, runID: start.runID, plan: plan, observation: observed, calls: calls)
        }

        console.line("\(command.rawValue) (run #\(start.runID)): \(plan.mode == .up ? "ensuring the fleet" : "tearing down"): \(plan.reason)")
        var executor = Executor(
            fleet: context.fleet, settings: context.configuration.execution, provider: bundle.provider,
            balancers: bundle.balancers, calls: calls, journal: store,
            prober: Prober(http: .shared),
            progress: ConsoleProgress(console: console, clock: clock, zone: context.fleet.timeZone),
            clock: clock, runID: start.runID, logger: context.logger)
        executor.crashPoint = crashPoint
        let report = await executor.execute(plan, observed: observed)
        if Task.isCancelled {
            // A shutdown signal: the steps stopped where they were; the next run observes and converges.
            try? store.finishRun(start.runID, outcome: .interrupted, summary: RunSummary.line(report), error: "stopped by a shutdown signal; the next run takes over")
            console.problem("\(command.rawValue): stopped by a shutdown signal; the next run takes over")
            return ControlOutcome(status: .failed, runID: start.runID, plan: plan, report: report, observation: observed, calls: calls)
        }
        for warning in report.warnings { console.problem("warning: \(warning)") }
        let summary = RunSummary.line(report)
        if report.succeeded {
            await succeeded(report, summary: summary, command: command, plan: plan, runID: start.runID, dispatcher: alerts)
        } else {
            await alert(report.failures, command: command, plan: plan, runID: start.runID, dispatcher: alerts)
        }

        try store.finishRun(
            start.runID, outcome: report.succeeded ? .ok : .failed, summary: summary,
            error: report.failures.first.map(\.description))
        if console.json {
            console.emit(RunOutput(runID: start.runID, command: command, plan: plan, report: report, failure: report.failures.first?.description))
        } else if report.succeeded {
            console.line("\(command.rawValue): done in \(RunSummary.seconds(report.duration)): \(summary)")
        } else {
            console.problem("\(command.rawValue): FAILED after \(RunSummary.seconds(report.duration)): \(summary)")
        }
        return ControlOutcome(
            status: report.succeeded ? .ok : .failed, runID: start.runID, plan: plan, report: report, observation: observed, calls: calls)
    }

    /// Shows each failure on stderr, then sends it to the configured channels (deduplicated, journaled).
    private func alert(_ failures: [StepFailure], command: Command, plan: Plan?, runID: Int64, dispatcher: AlertDispatcher) async {
        let event = plan?.window?.primary ?? plan?.nextWindow?.primary
        let alerts = failures.map {
            Alert.failure(
                $0, command: command.rawValue, fleet: context.fleet.fleet, event: event, zone: context.fleet.timeZone,
                now: context.clock.now(), overrides: plan?.overrides ?? [])
        }
        for alert in alerts {
            for notifier in [ConsoleNotifier(console: context.console)] + notifiers {
                await notifier.send(alert)
            }
        }
        let deliveries = await dispatcher.failed(alerts, runID: runID, mode: plan.map { $0.mode.rawValue })
        AlertOutput.show(deliveries, console: context.console, zone: context.fleet.timeZone, dedupe: dispatcher.settings.dedupe)
    }

    /// After a run in which every step passed: "resolved" for the problems it cleared, and the success
    /// summary when configured and the run created or deleted nodes.
    private func succeeded(
        _ report: ExecutionReport, summary: String, command: Command, plan: Plan, runID: Int64, dispatcher: AlertDispatcher
    ) async {
        let event = plan.window?.primary ?? plan.nextWindow?.primary
        let zone = context.fleet.timeZone
        let now = context.clock.now()
        let changed = !report.created.isEmpty || !report.deleted.isEmpty
        let success = changed
            ? Alert.success(
                command: command.rawValue, mode: plan.mode.rawValue, fleet: context.fleet.fleet, event: event,
                created: report.created.count, deleted: report.deleted.count, duration: report.duration, summary: summary,
                zone: zone, now: now)
            : nil
        let deliveries = await dispatcher.succeeded(mode: plan.mode.rawValue, eventID: event?.id, runID: runID, success: success) {
            Alert.resolved($0, since: $1, runs: $2, command: command.rawValue, run: runID, summary: summary, event: event, zone: zone, now: now)
        }
        AlertOutput.show(deliveries, console: context.console, zone: zone, dedupe: dispatcher.settings.dedupe)
    }
}

/// What one control run did.
public struct ControlOutcome: Sendable {
    public var status: ExitStatus
    public var runID: Int64?
    public var plan: Plan?
    public var report: ExecutionReport?
    /// What the provider listed before planning.
    public var observation: Observation?
    public var calls: ProviderCalls?
}

/// One-line summaries of a run, for the console and the journal.
enum RunSummary {
    static func line(_ report: ExecutionReport) -> String {
        let roles = report.roles.map { outcome -> String in
            var parts = ["\(outcome.role) \(outcome.nodes.filter { $0.state == .running }.count)/\(outcome.desired) running"]
            if let healthy = outcome.healthy { parts.append("\(healthy) healthy") }
            if let ready = outcome.ready { parts.append("\(ready) ready") }
            if !outcome.replaced.isEmpty { parts.append("replaced \(outcome.replaced.count)") }
            if !outcome.warnings.isEmpty { parts.append("degraded") }
            if let failure = outcome.failure { parts.append("failed at \(failure.step)") }
            return parts.joined(separator: ", ")
        }
        var text = roles.joined(separator: "; ")
        if report.mode == .down {
            text = "deleted \(report.deleted.count) node\(report.deleted.count == 1 ? "" : "s")"
                + (report.verification == nil ? ", none left" : ", some left (see above)")
        }
        if !report.created.isEmpty { text += " (created \(report.created.count))" }
        return text
    }

    static func seconds(_ duration: Duration) -> String { String(format: "%.1fs", duration.timeInterval) }
}
