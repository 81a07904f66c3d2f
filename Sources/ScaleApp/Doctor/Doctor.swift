import Foundation
import ScaleCore
import ScaleStore

/// `scalectl doctor`: a preflight checklist, hours before the next event, of what its scale-up needs:
/// configuration, credentials, fresh snapshots, load balancers, orderable server types, quota headroom,
/// lead time and alert channels. It only reads. A failed check is alerted and makes the exit status 1;
/// warnings alone exit 0.
public struct Doctor: Sendable {
    public let context: AppContext
    /// Where failed checks and test alerts go: the console and the configured channels.
    public let alerts: AlertDispatcher
    /// Why the configured channels could not be set up (a secret missing), if so: a finding of its own.
    public let alertProblem: String?

    /// - Parameter extra: more alert channels (tests record deliveries there).
    public init(context: AppContext, extra: [any AlertChannel] = []) {
        self.context = context
        (alerts, alertProblem) = context.alertDispatcherOrProblem(extra: extra)
    }

    /// Runs every check, prints the checklist and, when a check failed, alerts.
    /// - Parameter sendTest: also send a test alert through every channel and check each delivery.
    /// - Throws: when the database cannot be read (the calendar, the journal).
    public func run(sendTest: Bool) async throws -> DoctorReport {
        var report = try await examine(sendTest: sendTest)
        DoctorOutput(report, context: context).showChecks(context.console, zone: context.fleet.timeZone)
        if !report.failed.isEmpty { report.alerted = await alerts.failed(alertsFor(report), runID: nil, mode: "doctor") }
        DoctorOutput(report, context: context).showSummary(context.console)
        return report
    }

    /// Every check, in order, without printing or alerting.
    public func examine(sendTest: Bool) async throws -> DoctorReport {
        let input = try await context.plannerInput(.reconcile)
        let windows = input.windows
        let window = windows.first { $0.covers(input.now) } ?? windows.first { $0.start > input.now }
        let scene = Scene(now: input.now, window: window, overrides: input.activeOverrides)
        var checks = [configurationCheck()]
        checks += await providerChecks(scene)
        checks.append(await leadCheck(scene))
        let (alerting, tests) = await alertCheck(sendTest: sendTest, now: scene.now)
        checks.append(alerting)
        return DoctorReport(now: scene.now, window: window, checks: checks, tests: tests)
    }

    /// What the checks look at: now, the window ahead, the overrides in force.
    struct Scene {
        var now: Date
        /// The window covering now, else the next one.
        var window: Window?
        var overrides: [Override]

        /// When the window's scale-up starts, if it has not yet.
        var scaleUp: Date? { window.flatMap { $0.start > now ? $0.start : nil } }
    }

    func configurationCheck() -> DoctorCheck {
        let configuration = context.configuration
        let roles = configuration.fleet.roles.map(\.name).joined(separator: ", ")
        return DoctorCheck(
            id: "configuration", title: "configuration", status: .ok,
            detail: "\(configuration.file) loaded: fleet \(configuration.fleet.fleet), roles \(roles), provider \(configuration.provider.kind), state in \(configuration.database)")
    }

    func leadCheck(_ scene: Scene) async -> DoctorCheck {
        let zone = context.fleet.timeZone
        guard let window = scene.window else {
            let advice = await context.leadAdvice(next: nil)
            return DoctorCheck(id: "lead", title: "lead time", status: .ok, detail: "no upcoming event; " + advice.line)
        }
        let advice = await context.leadAdvice(next: window.primary)
        guard let start = scene.scaleUp else {
            return DoctorCheck(
                id: "lead", title: "lead time", status: .ok,
                detail: "the window of \(window.primary.title) is open: its scale-up is under way or done; \(advice.line)")
        }
        if let warning = advice.warning, let needed = advice.needed {
            return DoctorCheck(
                id: "lead", title: "lead time", status: .failed, detail: warning,
                fix: "raise [controller] lead to at least \(DurationText.format(Duration(timeInterval: (needed / 60).rounded(.up) * 60))), or set lead = \"auto\"")
        }
        return DoctorCheck(
            id: "lead", title: "lead time", status: .ok,
            detail: "\(advice.line); the scale-up for \(window.primary.title) starts \(TimeText.local(start, zone: zone))")
    }

    func alertCheck(sendTest: Bool, now: Date) async -> (DoctorCheck, [Delivery]) {
        let channels = alerts.channels.map(\.name).joined(separator: ", ")
        if let problem = alertProblem {
            return (DoctorCheck(
                id: "alerts", title: "alert channels", status: .failed,
                detail: "the [alerts] channels cannot be used, only \(channels): \(problem)",
                fix: "give the secrets [alerts] names (environment variables or files), as up and down will need them"), [])
        }
        guard sendTest else {
            return (DoctorCheck(
                id: "alerts", title: "alert channels", status: .ok,
                detail: "\(channels); not tested (doctor --send-test sends a test alert through each)"), [])
        }
        let alert = Alert.preflightTest(
            fleet: context.fleet.fleet, host: ProcessInfo.processInfo.hostName, zone: context.fleet.timeZone, now: now)
        let deliveries = await alerts.test(alert)
        let failed = deliveries.filter { !$0.delivered }
        guard failed.isEmpty else {
            return (DoctorCheck(
                id: "alerts", title: "alert channels", status: .failed,
                detail: "the test alert failed on \(failed.count) of \(deliveries.count) channels: "
                    + failed.map { "\($0.channel): \($0.problem ?? "failed")" }.joined(separator: "; "),
                fix: "check that channel's [alerts] settings, its credentials and that its server is reachable from this host"), deliveries)
        }
        return (DoctorCheck(
            id: "alerts", title: "alert channels", status: .ok,
            detail: "test alert delivered to \(deliveries.map(\.channel).joined(separator: ", "))"), deliveries)
    }

    /// One alert per failed check, for the event whose scale-up it would break.
    func alertsFor(_ report: DoctorReport) -> [Alert] {
        report.failed.map { check in
            Alert.preflight(
                check: check.id, role: check.role, summary: "\(check.title): \(check.detail)", fix: check.fix,
                providerError: check.providerError, fleet: context.fleet.fleet, event: report.window?.primary,
                zone: context.fleet.timeZone, now: report.now)
        }
    }
}
