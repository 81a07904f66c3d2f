import Foundation
import ScaleCore

/// `scalectl up`, `down` and `reconcile` for people and scripts: runs the command through the run
/// coordinator and shows what happened (text or JSON). Presentation only: the run itself is sequenced in
/// ``RunCoordinator``.
public struct Control: Sendable {
    public let context: AppContext
    /// More alert channels beside the console and `[alerts]` (tests record deliveries there).
    public let extraChannels: [any AlertChannel]
    /// Called as each step starts; fault-injection tests end the process there (see `SCALECTL_CRASH_AT`).
    public var crashPoint: @Sendable (String) -> Void = { _ in }

    public init(context: AppContext, extraChannels: [any AlertChannel] = []) {
        self.context = context
        self.extraChannels = extraChannels
    }

    public func run(_ command: Command, force: Bool = false) async throws -> ExitStatus {
        try await perform(command, force: force).status
    }

    /// Runs the command and returns everything it learned (the daemon's metrics use it).
    /// - Throws: ``InputError`` when the plan breaks a cap (nothing was changed); ``LockHeld`` when another
    ///   run holds the lock; configuration errors before anything is touched.
    public func perform(_ command: Command, force: Bool = false) async throws -> ControlOutcome {
        let console = context.console
        if command == .reconcile { await CalendarSync.runIfDue(context: context) }  // [calendar] sources, when due
        var coordinator = try await context.coordinator(extraChannels: extraChannels)
        coordinator.crashPoint = crashPoint
        let zone = context.fleet.timeZone
        let dedupe = coordinator.alerts.settings.dedupe
        coordinator.notices = { notice in
            switch notice {
            case .tookOverLock, .tookOverLease:
                console.problem(notice.takeoverWarning)
            case .acting(let runID, let plan):
                console.line("\(command.rawValue) (run #\(runID)): \(plan.mode == .up ? "ensuring the fleet" : "tearing down"): \(plan.reason)")
            case .alerted(let deliveries):
                AlertOutput.show(deliveries, console: console, zone: zone, dedupe: dedupe)
            }
        }
        let result = try await coordinator.run(command, force: force)
        let outcome = ControlOutcome(result)
        switch result.outcome {
        case .refused:
            throw InputError("refusing the plan: " + (result.error ?? "it breaks a cap"))
        case .idle:
            if console.json {
                console.emit(RunOutput(runID: result.runID ?? 0, command: command, plan: result.plan, report: nil, failure: nil))
            } else {
                console.line("\(command.rawValue): nothing to do: \(result.plan?.reason ?? "")")
            }
            return outcome
        case .interrupted:
            console.problem("\(command.rawValue): \(result.error ?? "stopped by a shutdown signal; the next run takes over")")
            return outcome
        case .ok, .failed, .running:
            break
        }
        for warning in result.report?.warnings ?? [] { console.problem("warning: \(warning)") }
        if console.json {
            console.emit(RunOutput(runID: result.runID ?? 0, command: command, plan: result.plan, report: result.report, failure: result.error))
        } else if let report = result.report {
            let took = RunSummary.seconds(report.duration)
            if result.outcome == .ok {
                console.line("\(command.rawValue): done in \(took): \(result.summary ?? "")")
            } else {
                console.problem("\(command.rawValue): FAILED after \(took): \(result.summary ?? "")")
            }
        }
        return outcome
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

    public init(status: ExitStatus, runID: Int64? = nil, plan: Plan? = nil, report: ExecutionReport? = nil, observation: Observation? = nil, calls: ProviderCalls? = nil) {
        self.status = status
        self.runID = runID
        self.plan = plan
        self.report = report
        self.observation = observation
        self.calls = calls
    }

    init(_ result: RunResult) {
        let status: ExitStatus = switch result.outcome {
        case .ok, .idle: .ok
        case .refused: .usage
        case .failed, .interrupted, .running: .failed
        }
        self.init(
            status: status, runID: result.runID, plan: result.plan, report: result.report, observation: result.observation,
            calls: result.calls)
    }
}

extension RunNotice {
    /// What a person reads when a run took over from a controller that is gone.
    var takeoverWarning: String {
        switch self {
        case .tookOverLock(let dead):
            "warning: took over the lock of \(dead.description), left by a controller that died or lost the lead; that run is marked interrupted"
        case .tookOverLease(let lost):
            "warning: took the lead of this fleet from \(lost.description), which stopped renewing its lease; this controller resumes from the journal"
        default:
            ""
        }
    }
}
