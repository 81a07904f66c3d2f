import Foundation
import Logging

/// What a run coordinator tells its caller while a run goes on, for presentation.
public enum RunNotice: Sendable {
    /// The lock of a run whose process is gone (or whose controller lost the lead) was taken over; that run
    /// is marked interrupted.
    case tookOverLock(LockHolder)
    /// The leader lease was taken over from a controller that stopped renewing it.
    case tookOverLease(Lease)
    /// The plan changes the fleet and its steps start now.
    case acting(runID: Int64, plan: Plan)
    /// Alerts went out (or were suppressed, or failed) on these channels.
    case alerted([Delivery])
}

/// Everything one run learned and did.
public struct RunResult: Sendable {
    /// How the run ended: `ok`, `idle`, `failed`, `interrupted` or `refused`.
    public var outcome: RunOutcome
    public var runID: Int64?
    public var plan: Plan?
    public var report: ExecutionReport?
    /// What the provider listed before planning.
    public var observation: Observation?
    public var calls: ProviderCalls?
    /// One line for the journal and the console.
    public var summary: String?
    /// What went wrong, for the journal and the console; nil when nothing did.
    public var error: String?

    public init(outcome: RunOutcome, runID: Int64? = nil, calls: ProviderCalls? = nil) {
        self.outcome = outcome
        self.runID = runID
        self.calls = calls
    }
}

/// The one place that sequences a run: lock, observe, ledger, plan, execute, alert, journal, close.
///
/// The CLI's `up`, `down` and `reconcile`, the daemon, the benchmark and the tests all run through it;
/// `plan` and `status` use its ``preview(_:force:)``, so what they show is what a run would do.
public struct RunCoordinator: Sendable {
    public var store: any StateStore
    public var bundle: ProviderBundle
    public var fleet: FleetSettings
    public var execution: ExecutionSettings
    public var retry: ProviderCalls.Policy
    public var alerts: AlertDispatcher
    public var prober: any ReadinessProbing
    public var progress: any ProgressSink
    public var clock: any ScaleClock
    public var logger: Logger
    /// How often the lock's heartbeat proves the run alive, for controllers on other hosts.
    public var heartbeat: Duration = .seconds(60)
    /// `[controller] history_keep`: each run first prunes the journal older than this (nil: keep all),
    /// keeping the last `keepScaleUps` scale-ups the lead is learned from.
    public var historyKeep: Duration?
    public var keepScaleUps = 50
    /// The leader lease each run takes first (nil: none, for tests of one controller on virtual time).
    public var leasing: Leasing?
    /// Called as each step starts; fault-injection tests end the process there.
    public var crashPoint: @Sendable (String) -> Void = { _ in }
    /// Told what happens as it happens.
    public var notices: @Sendable (RunNotice) -> Void = { _ in }

    public init(
        store: any StateStore, bundle: ProviderBundle, fleet: FleetSettings, execution: ExecutionSettings, retry: ProviderCalls.Policy,
        alerts: AlertDispatcher, prober: any ReadinessProbing, progress: any ProgressSink, clock: any ScaleClock, logger: Logger
    ) {
        self.store = store
        self.bundle = bundle
        self.fleet = fleet
        self.execution = execution
        self.retry = retry
        self.alerts = alerts
        self.prober = prober
        self.progress = progress
        self.clock = clock
        self.logger = logger
    }

    /// Provider calls for one run: retries, the breaker, pacing and counts start afresh.
    public func providerCalls() -> ProviderCalls {
        ProviderCalls(provider: bundle.provider.name, policy: retry, clock: clock, logger: logger, rateLimit: bundle.rateLimit)
    }

    /// Runs `command` once under the fleet's lock and returns what it did. The run is closed exactly once.
    /// - Throws: ``LockHeld`` when another run holds the lock (nothing was changed); a store error when the
    ///   journal cannot be written.
    public func run(_ command: Command, force: Bool = false) async throws -> RunResult {
        let calls = providerCalls()
        return try await withRun(command) { runID in
            var result = RunResult(outcome: .running, runID: runID, calls: calls)
            let observed: Observation
            do {
                observed = try await observe(calls)
                try await store.reconcileLedger(with: observed.nodes, at: clock.now())
            } catch is CancellationError {
                result.outcome = .interrupted
                result.error = "stopped by a shutdown signal before acting"
                return result
            } catch {
                let failure = StepFailure(
                    role: "fleet", step: "observe", summary: "could not observe the fleet: \(error)",
                    providerError: error as? ProviderError, action: "changed nothing")
                await alert([failure], command: command, plan: nil, runID: runID)
                result.outcome = .failed
                result.error = failure.summary
                return result
            }
            result.observation = observed
            let plan = try await plan(command, force: force, observed: observed, calls: calls)
            result.plan = plan
            try await store.note(runID: runID, kind: "plan", detail: "\(plan.mode.rawValue): \(plan.reason)", at: clock.now())
            if let refusal = plan.refusal {
                result.outcome = .refused
                result.error = refusal
                return result
            }
            guard plan.mode != .idle else {
                result.outcome = .idle
                result.summary = plan.reason
                return result
            }
            notices(.acting(runID: runID, plan: plan))
            var executor = Executor(
                fleet: fleet, settings: execution, bundle: bundle, calls: calls, journal: store, prober: prober,
                progress: progress, clock: clock, runID: runID, logger: logger)
            executor.crashPoint = crashPoint
            let report = await executor.execute(plan, observed: observed)
            result.report = report
            result.summary = RunSummary.line(report)
            if Task.isCancelled {
                // A shutdown signal: the steps stopped where they were; the next run observes and converges.
                result.outcome = .interrupted
                result.error = "stopped by a shutdown signal; the next run takes over"
                return result
            }
            if report.succeeded {
                await succeeded(report, summary: result.summary ?? "", command: command, plan: plan, runID: runID)
                result.outcome = .ok
            } else {
                await alert(report.failures, command: command, plan: plan, runID: runID)
                result.outcome = .failed
                result.error = report.failures.first?.description
            }
            return result
        }
    }

    /// Observes and plans `command` now, touching nothing and taking no lock: what a run would do.
    public func preview(_ command: Command, force: Bool = false) async throws -> (plan: Plan, observation: Observation) {
        let calls = providerCalls()
        let observed = try await observe(calls)
        return (try await plan(command, force: force, observed: observed, calls: calls), observed)
    }

    /// Plans `command`. A plan that creates servers where the server limit is known (`server_limit`, or a
    /// provider that tells it) is fitted under it: the project's servers are counted once, and the roles
    /// get their `min` in priority order, then the rest. A count that cannot be read plans as if there
    /// were room (the creates then meet the provider's own limit, which the run reports).
    func plan(_ command: Command, force: Bool, observed: Observation, calls: ProviderCalls) async throws -> Plan {
        var input = try await plannerInput(command, force: force, observed: observed)
        let plan = Planner.plan(input)
        guard plan.mode == .up, plan.refusal == nil, plan.roles.contains(where: \.creates),
              let quota = bundle.quota, fleet.serverLimit != nil || quota.reportsLimit
        else { return plan }
        do {
            let reading = try await calls.call("quota", "count the project's servers") { try await quota.serverQuota() }
            guard let limit = reading.limit ?? fleet.serverLimit else { return plan }
            input.room = ServerRoom(reading, limit: limit)
            return Planner.plan(input)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning("could not count the project's servers; planning without the server limit", metadata: ["error": "\(error)"])
            return plan
        }
    }

    /// Takes the fleet's lock and opens a run, runs `body` while a heartbeat keeps the lock fresh, and
    /// closes the run exactly once with the result's outcome, summary and error: on success, failure,
    /// refusal and cancellation alike. When `body` throws, the run is closed as failed with the error.
    public func withRun(_ command: Command, _ body: (Int64) async throws -> RunResult) async throws -> RunResult {
        try await withRun(named: command.rawValue, body)
    }

    /// ``withRun(_:_:)`` for a job that is not one of the fleet commands (`snapshot`): the same lock and closing.
    /// First the leader lease, when ``leasing`` is set: another leader means ``LeaseHeld`` and nothing
    /// changed; a one-shot command gives the lease up when its run ends.
    public func withRun(named command: String, _ body: (Int64) async throws -> RunResult) async throws -> RunResult {
        guard let leasing else { return try await withLock(command, body) }
        let claim = try await leasing.store.claimLease(leasing.controller, command: leasing.command ?? command, ttl: leasing.ttl)
        guard case .leading(_, let previous) = claim else { throw LeaseHeld(fleet: fleet.fleet, leader: claim.lease) }
        if let previous { notices(.tookOverLease(previous)) }
        let release = { if leasing.command == nil { try? await leasing.store.releaseLease(leasing.controller) } }
        do {
            let result = try await withLock(command, body)
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    private func withLock(_ command: String, _ body: (Int64) async throws -> RunResult) async throws -> RunResult {
        let start = try await store.startRun(command: command, at: clock.now())
        if let dead = start.takenOver { notices(.tookOverLock(dead)) }
        if let historyKeep {
            _ = try? await store.pruneHistory(before: clock.now() - historyKeep, keepScaleUps: keepScaleUps)
        }
        let store = self.store
        let heartbeat = self.heartbeat
        let result: RunResult
        do {
            result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await Task.sleep(for: heartbeat)
                        try? await store.refreshLock(runID: start.runID)
                    }
                }
                if let leasing {
                    // Renewed while the run goes on; a renewal that finds another leader leaves the fence
                    // armed with the lost lease, so the run's next step stops.
                    group.addTask {
                        while true {
                            try await Task.sleep(for: leasing.ttl / 3)
                            _ = try? await leasing.store.claimLease(leasing.controller, command: leasing.command ?? command, ttl: leasing.ttl)
                        }
                    }
                }
                defer { group.cancelAll() }
                return try await body(start.runID)
            }
        } catch {
            let outcome: RunOutcome = error is CancellationError ? .interrupted : .failed
            try? await store.finishRun(start.runID, outcome: outcome, summary: nil, error: "\(error)")
            throw error
        }
        try await store.finishRun(start.runID, outcome: result.outcome == .running ? .failed : result.outcome, summary: result.summary, error: result.error)
        return result
    }

    /// Lists the fleet and the members of the balancers the roles name. Only the listing is essential: a
    /// balancer that cannot be read (renamed, deleted, failing) is that role's problem, noted in
    /// ``Observation/unreadBalancers``; its nodes' health is unknown and every other role goes on.
    /// - Throws: when the fleet cannot be listed (or the run is cancelled).
    public func observe(_ calls: ProviderCalls) async throws -> Observation {
        let provider = bundle.provider
        let nodes = try await calls.call("list", "list nodes") { try await provider.listNodes() }
        var observation = Observation(nodes: nodes)
        guard let balancers = bundle.balancers else { return observation }
        for role in fleet.roles {
            guard let balancer = role.loadBalancer, observation.unreadBalancers[balancer] == nil else { continue }
            do {
                let members = try await calls.call("health", "read health of \(balancer)") {
                    try await balancers.members(of: balancer, role: role.name)
                }
                observation.balancers[balancer, default: [:]].merge(members) { $1 }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.info("balancer not readable", metadata: ["balancer.name": "\(balancer)", "error": "\(error)"])
                observation.unreadBalancers[balancer] = "\(error)"
            }
        }
        return observation
    }

    /// The planner's view of now: the calendar from the planner's look-back, the overrides, what was observed.
    public func plannerInput(_ command: Command, force: Bool = false, observed: Observation) async throws -> PlannerInput {
        try await PlannerInput.read(store, command: command, force: force, now: clock.now(), settings: fleet, observed: observed)
    }

    /// Sends each failure to the channels (the console shows it at once; the others deduplicated, journaled).
    private func alert(_ failures: [StepFailure], command: Command, plan: Plan?, runID: Int64) async {
        let event = plan?.window?.primary ?? plan?.nextWindow?.primary
        let alerts = failures.map {
            Alert.failure(
                $0, command: command.rawValue, fleet: fleet.fleet, event: event, zone: fleet.timeZone, now: clock.now(),
                overrides: plan?.overrides ?? [])
        }
        notices(.alerted(await self.alerts.failed(alerts, runID: runID, mode: plan.map { $0.mode.rawValue })))
    }

    /// After a run in which every step passed: "resolved" for the problems it cleared, and the success
    /// summary when configured and the run created or deleted nodes.
    private func succeeded(_ report: ExecutionReport, summary: String, command: Command, plan: Plan, runID: Int64) async {
        let event = plan.window?.primary ?? plan.nextWindow?.primary
        let zone = fleet.timeZone
        let now = clock.now()
        let changed = !report.created.isEmpty || !report.deleted.isEmpty
        let success = changed
            ? Alert.success(
                command: command.rawValue, mode: plan.mode.rawValue, fleet: fleet.fleet, event: event,
                created: report.created.count, deleted: report.deleted.count, duration: report.duration, summary: summary,
                zone: zone, now: now)
            : nil
        let deliveries = await alerts.succeeded(mode: plan.mode.rawValue, eventID: event?.id, runID: runID, success: success) {
            Alert.resolved($0, since: $1, runs: $2, command: command.rawValue, run: runID, summary: summary, event: event, zone: zone, now: now)
        }
        notices(.alerted(deliveries))
    }
}

extension PlannerInput {
    /// The planner's view of `now` read from the state store: the events the planner's look-back says
    /// matter, the overrides, and what was observed.
    public static func read(
        _ store: any StateStore, command: Command, force: Bool = false, now: Date, settings: FleetSettings, observed: Observation
    ) async throws -> PlannerInput {
        let overrides = try await store.overrides()
        let events = try await store.events(endingAfter: Planner.lookBack(now: now, settings: settings, overrides: overrides))
        var input = PlannerInput(command: command, force: force, now: now, settings: settings, events: events, overrides: overrides, observed: observed)
        if let since = input.replacementBudgetStart { input.replacementsUsed = try await store.replacements(since: since) }
        return input
    }
}
