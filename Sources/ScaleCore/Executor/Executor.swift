import Foundation
import Logging

/// Timeouts and bounds of a run.
public struct ExecutionSettings: Sendable, Hashable {
    /// Parallel provider mutations (creates, deletes) at most.
    public var concurrency: Int
    /// Between two listings of the fleet or two balancer health reads.
    public var pollInterval: Duration
    /// From create to running.
    public var bootTimeout: Duration
    /// From attach to healthy on the balancer.
    public var healthTimeout: Duration
    /// From delete to gone.
    public var goneTimeout: Duration
    /// Between two readiness attempts on a node.
    public var probeInterval: Duration
    /// Per role and run, how many times nodes that never boot or never get ready are deleted and created
    /// again before the gate fails (never a recreate loop).
    public var replaceLimit: Int

    public init(
        concurrency: Int = 10, pollInterval: Duration = .seconds(5), bootTimeout: Duration = .seconds(20 * 60),
        healthTimeout: Duration = .seconds(5 * 60), goneTimeout: Duration = .seconds(10 * 60),
        probeInterval: Duration = .seconds(5), replaceLimit: Int = 1
    ) {
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.bootTimeout = bootTimeout
        self.healthTimeout = healthTimeout
        self.goneTimeout = goneTimeout
        self.probeInterval = probeInterval
        self.replaceLimit = replaceLimit
    }
}

/// Runs a ``Plan``: role pipelines in parallel, each stopping at its first failed gate; every mutation
/// journaled before the call and after it.
public struct Executor: Sendable {
    public var fleet: FleetSettings
    public var settings: ExecutionSettings
    public var bundle: ProviderBundle
    public var provider: any CloudProvider { bundle.provider }
    public var balancers: (any LoadBalancing)? { bundle.balancers }
    public var calls: ProviderCalls
    public var journal: any Journal
    public var prober: any ReadinessProbing
    public var progress: any ProgressSink
    public var clock: any ScaleClock
    public var runID: Int64
    public var logger: Logger
    /// Called as each step starts, with its kind; fault-injection tests end the process here.
    public var crashPoint: @Sendable (String) -> Void

    public init(
        fleet: FleetSettings, settings: ExecutionSettings, bundle: ProviderBundle, calls: ProviderCalls, journal: any Journal, prober: any ReadinessProbing,
        progress: any ProgressSink, clock: any ScaleClock, runID: Int64, logger: Logger,
        crashPoint: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.fleet = fleet
        self.settings = settings
        self.bundle = bundle
        self.calls = calls
        self.journal = journal
        self.prober = prober
        self.progress = progress
        self.clock = clock
        self.runID = runID
        self.logger = logger
        self.crashPoint = crashPoint
    }

    /// Runs the plan. `observed` is the listing the plan was made from, if it was made just now: waits
    /// start from it instead of calling the provider again at once.
    public func execute(_ plan: Plan, observed: Observation? = nil) async -> ExecutionReport {
        let started = clock.now()
        let scope = RunScope(
            mode: plan.mode,
            watcher: FleetWatcher(provider: provider, calls: calls, clock: clock, interval: settings.pollInterval),
            limiter: Limiter(limit: settings.concurrency),
            tally: Tally(),
            observed: observed
        )
        if let observed { await scope.watcher.seed(observed.nodes) }
        let outcomes = await withTaskGroup(of: RoleOutcome.self) { group in
            for rolePlan in plan.roles {
                group.addTask { await runPipeline(rolePlan, scope: scope) }
            }
            var outcomes: [RoleOutcome] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        let order = Dictionary(uniqueKeysWithValues: plan.roles.enumerated().map { ($1.role, $0) })
        var verification: StepFailure?
        if plan.mode == .down { verification = await verifyNoneLeft(scope: scope) }
        return ExecutionReport(
            mode: plan.mode, roles: outcomes.sorted { order[$0.role, default: 0] < order[$1.role, default: 0] },
            verification: verification, created: await scope.tally.created, deleted: await scope.tally.deleted,
            duration: clock.now().since(started)
        )
    }

    /// Runs a role's steps in order. A gate that fails for some nodes replaces them (up to
    /// `replaceLimit` times) and checks the gates again; then, if at least the role's `min_ready` nodes
    /// pass, the role goes on degraded with a warning; otherwise it stops there.
    private func runPipeline(_ plan: RolePlan, scope: RunScope) async -> RoleOutcome {
        var state = PipelineState(plan: plan)
        let minReady = fleet.role(plan.role)?.minReady
        let firstGate = plan.steps.firstIndex { $0.isGate } ?? 0
        var gatesOnlyThrough = -1
        var index = 0
        while index < plan.steps.count {
            let step = plan.steps[index]
            if index <= gatesOnlyThrough, !step.isGate {
                index += 1
                continue
            }
            let began = clock.now()
            do {
                try await journaled(plan.role, step.kind, step.summary) {
                    try await perform(step, state: &state, scope: scope)
                }
                let took = clock.now().since(began)
                state.timings.append(StepTiming(step: step.kind, seconds: took.timeInterval))
                progress.report(.finished(role: plan.role, step: step.kind, duration: took))
                index += 1
            } catch {
                state.timings.append(StepTiming(step: step.kind, seconds: clock.now().since(began).timeInterval))
                var failure = failure(from: error, step: step, role: plan.role)
                if case .detach(let balancer, _) = step, plan.isTeardown, !Task.isCancelled {
                    // Nodes go by their ownership labels whatever the balancer's state.
                    let warning = "could not detach from \(balancer) (\(failure.summary)); deleting the nodes anyway"
                    state.warnings.append(warning)
                    progress.report(.warning(role: plan.role, text: warning))
                    index += 1
                    if index < plan.steps.count, case .drain = plan.steps[index] { index += 1 }
                    continue
                }
                if let systemic = Self.systemic(failure, healthy: state.healthy, plan: plan) {
                    failure = systemic
                } else if !failure.replaceable.isEmpty, state.replacements < settings.replaceLimit - plan.replacementsUsed, !Task.isCancelled {
                    state.replacements += 1
                    do {
                        try await replace(failure, state: &state, scope: scope)
                        gatesOnlyThrough = max(gatesOnlyThrough, index)
                        index = firstGate
                        continue
                    } catch {
                        state.failure = self.failure(from: error, step: step, role: plan.role)
                        break
                    }
                }
                if let passing = failure.passing, let minReady, passing >= minReady, !Task.isCancelled {
                    let warning = "\(failure.summary); going on with \(passing), as min_ready \(minReady) allows"
                    state.warnings.append(warning)
                    state.excluded.formUnion(failure.replaceable)
                    progress.report(.warning(role: plan.role, text: warning))
                    index += 1
                    continue
                }
                state.failure = failure
                break
            }
        }
        let nodes = (try? await scope.watcher.current())?.filter { $0.role == plan.role } ?? []
        if state.failure == nil, let shortage = shortage(plan, state: state) { state.failure = shortage }
        return RoleOutcome(
            role: plan.role, desired: plan.desired, nodes: nodes, healthy: state.healthy, ready: state.ready,
            failure: state.failure, warnings: state.warnings, replaced: state.replaced, timings: state.timings
        )
    }

    /// A role that obtained fewer nodes than it wanted because the cloud had no room (the plan's shortage
    /// under the server limit, and nodes sold out in every choice): degraded at or above the role's
    /// `min`, failed below it. The nodes obtained are kept either way.
    func shortage(_ plan: RolePlan, state: PipelineState) -> StepFailure? {
        let short = (plan.shortage.map { plan.desired - $0.planned } ?? 0) + state.unobtained.count
        guard short > 0, let role = fleet.role(plan.role) else { return nil }
        let wanted = plan.desired
        let obtained = wanted - short
        let minimum = role.minimum(of: wanted)
        let degraded = obtained >= minimum && obtained > 0
        var details: [String] = []
        if let planned = plan.shortage { details.append(planned.reason) }
        details += state.unobtained.map { "\($0.name): \($0.why)" }
        return StepFailure(
            role: plan.role, step: "capacity",
            summary: degraded
                ? "degraded: \(obtained) of \(wanted) \(plan.role) nodes obtained (min \(minimum)); the cloud had no room for \(short)"
                : "only \(obtained) of \(wanted) \(plan.role) nodes obtained, fewer than min \(minimum); the cloud had no room for \(short)",
            details: details,
            action: (obtained == 0 ? "obtained none" : "kept the \(obtained) obtained (the gates checked them)")
                + "; the next run tries the preferred server type again."
                + " Add server types or locations, or raise the server limit, or go on with fewer (override set)",
            passing: obtained
        )
    }

    /// A probe that fails on every node of a role while its load balancer calls them all healthy: the fault
    /// is the probe, the app or the snapshot, not the nodes. Replacing them would only bill more servers,
    /// so the nodes are kept and the failure says so, with the evidence.
    static func systemic(_ failure: StepFailure, healthy: Int?, plan: RolePlan) -> StepFailure? {
        guard failure.step == Step.Kind.probe.rawValue, failure.passing == 0, !failure.replaceable.isEmpty,
              let healthy, healthy >= failure.replaceable.count
        else { return nil }
        var systemic = failure
        systemic.summary = "every \(plan.role) node fails its readiness check while the load balancer calls all \(healthy) healthy:"
            + " the check, the application or the snapshot is at fault, not the nodes"
        systemic.action = "kept the nodes and replaced none (replacing would only bill more servers); fix the check or the application,"
            + " then the next run checks again"
        systemic.replaceable = []
        return systemic
    }

    private func failure(from error: any Error, step: Step, role: String) -> StepFailure {
        if let failure = error as? StepFailure { return failure }
        if let providerError = error as? ProviderError {
            return StepFailure(
                role: role, step: step.kind, summary: providerError.description, providerError: providerError,
                action: "stopped this role's steps; nothing was rolled back"
            )
        }
        if error is CancellationError {
            return StepFailure(role: role, step: step.kind, summary: "the run was stopped", action: "stopped; nothing was rolled back")
        }
        return StepFailure(role: role, step: step.kind, summary: "\(error)", action: "stopped this role's steps; nothing was rolled back")
    }

    /// After a teardown: list again and make sure no owned node remains, powered-off ones included.
    private func verifyNoneLeft(scope: RunScope) async -> StepFailure? {
        let entry = StepEntry(runID: runID, role: nil, kind: "verify", detail: "no owned node remains")
        let id = try? await journal.begin(entry, at: clock.now())
        crashPoint("verify")
        let failure: StepFailure?
        do {
            let left = try await calls.call("list", "list nodes") { try await provider.listNodes() }
            failure = left.isEmpty ? nil : StepFailure(
                role: "fleet", step: "verify",
                summary: "\(left.count) owned node\(left.count == 1 ? "" : "s") still exist after teardown and may still be billing",
                nodes: left, details: left.map(\.summary),
                action: "left them in place; run `scalectl down` again, or delete them in the provider's console"
            )
        } catch {
            failure = StepFailure(
                role: "fleet", step: "verify", summary: "could not list the fleet to verify the teardown: \(error)",
                providerError: error as? ProviderError, action: "run `scalectl status` to check what is left"
            )
        }
        if let id { try? await journal.end(id, outcome: failure == nil ? .ok : .failed, error: failure?.summary, at: clock.now()) }
        return failure
    }

    /// Writes the step's intent, runs it, writes its result. A journal that cannot be written stops the step.
    func journaled<T: Sendable>(
        _ role: String, _ kind: String, target: String? = nil, _ detail: String, _ body: () async throws -> T
    ) async throws -> T {
        let entry = StepEntry(runID: runID, role: role, kind: kind, target: target, detail: detail)
        let id: Int64
        do {
            id = try await journal.begin(entry, at: clock.now())
        } catch let lost as LeaseLost {
            throw StepFailure(role: role, step: kind, summary: "\(lost)", action: "did not \(detail): another controller leads now")
        } catch {
            throw StepFailure(
                role: role, step: kind, summary: "could not write the journal before \(detail): \(error)",
                action: "did not act: the controller never acts without journaling its intent first"
            )
        }
        crashPoint(kind)
        do {
            let value = try await body()
            await endStep(id, outcome: .ok, error: nil)
            return value
        } catch {
            if Task.isCancelled || error is CancellationError {
                await endStep(id, outcome: .interrupted, error: "stopped by a shutdown signal")
            } else {
                await endStep(id, outcome: .failed, error: "\(error)")
            }
            throw error
        }
    }

    /// Closes a step in the journal; the store's writes land even while the run is being cancelled.
    private func endStep(_ id: Int64, outcome: StepOutcome, error: String?) async {
        try? await journal.end(id, outcome: outcome, error: error, at: clock.now())
    }
}

/// What the role pipelines of one run share.
struct RunScope: Sendable {
    let mode: Plan.Mode
    let watcher: FleetWatcher
    let limiter: Limiter
    let tally: Tally
    /// The listing the plan was made from, if any.
    let observed: Observation?
    /// Server types and places found sold out in this run: other nodes do not try them again.
    let soldOut = SoldOut()

    /// The command that runs this plan's mode again: `scalectl down` would tear down a fleet whose
    /// `up` failed to delete a broken node.
    var rerun: String { mode == .down ? "scalectl down" : "scalectl up" }
}

/// Nodes created and deleted during the run.
actor Tally {
    private(set) var created: [String] = []
    private(set) var deleted: [String] = []
    func didCreate(_ name: String) { created.append(name) }
    func didDelete(_ name: String) { deleted.append(name) }
}

/// What the provider answered was sold out during one run (the next run starts again from the
/// preferred choice).
actor SoldOut {
    private var answers: [Placement: String] = [:]
    func record(_ placement: Placement, _ error: ProviderError) { answers[placement] = answers[placement] ?? error.answer }
    func answer(_ placement: Placement) -> String? { answers[placement] }
}

/// A pipeline's working state between steps.
struct PipelineState {
    let plan: RolePlan
    var snapshot: Snapshot?
    var healthy: Int?
    var ready: Int?
    var failure: StepFailure?
    var timings: [StepTiming] = []
    /// Replacement rounds used.
    var replacements = 0
    /// Names of nodes created again.
    var replaced: [String] = []
    /// Nodes left behind by a degraded gate: later gates do not wait for them.
    var excluded = Set<String>()
    /// Name → ids of the servers this pipeline asked to delete.
    var deleting: [String: Set<String>] = [:]
    var warnings: [String] = []
    /// Nodes the cloud had no room for (sold out in every choice, or the server limit), name → why:
    /// the role goes on with the nodes it obtained.
    var unobtained: [(name: String, why: String)] = []

    init(plan: RolePlan) { self.plan = plan }

    /// The names a gate checks: the step's, minus nodes a degraded gate left behind.
    func gated(_ names: [String]) -> [String] { names.filter { !excluded.contains($0) } }

    /// The ids to wait on for each name: those this pipeline deleted, else those the run saw `deleting`.
    func deletedIDs(of names: [String], observed: Observation?) -> [String: Set<String>] {
        var ids: [String: Set<String>] = [:]
        for name in names {
            let known = deleting[name] ?? Set((observed?.nodes ?? []).filter { $0.name == name && $0.state == .deleting }.map(\.id))
            if !known.isEmpty { ids[name] = known }
        }
        return ids
    }
}
