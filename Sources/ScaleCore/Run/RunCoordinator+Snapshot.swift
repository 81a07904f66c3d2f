import Foundation

/// What one `scalectl snapshot` run did, role by role.
public struct SnapshotRunResult: Sendable {
    public var run: RunResult
    public var roles: [SnapshotOutcome]
}

/// Why the snapshot job could not start; nothing was changed.
public struct SnapshotJobError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension RunCoordinator {
    /// Takes the daily snapshot of each role in `roles` (every role with `snapshot.from` when nil) as one
    /// run under the fleet's lock, then prunes beyond `keep`. A failed role alerts at once (role,
    /// template, the provider's answer, the time left before the next window); the others go on.
    /// - Throws: ``SnapshotJobError`` when the provider cannot take snapshots or a role has no template
    ///   (nothing was changed, no run opened); ``LockHeld`` when another run holds the lock.
    public func takeSnapshots(roles names: [String]? = nil) async throws -> SnapshotRunResult {
        let roles = try snapshotRoles(names)
        guard let taker = bundle.snapshots else {
            throw SnapshotJobError("the \(bundle.provider.name) provider cannot take snapshots in this build")
        }
        let calls = providerCalls()
        var outcomes: [SnapshotOutcome] = []
        let run = try await withRun(named: "snapshot") { runID in
            var result = RunResult(outcome: .running, runID: runID, calls: calls)
            let job = SnapshotJob(
                fleet: fleet, taker: taker, provider: bundle.provider, calls: calls, journal: store, clock: clock,
                pollInterval: execution.pollInterval, runID: runID, logger: logger)
            for (role, template) in roles {
                try Task.checkCancellation()
                outcomes.append(await job.run(role, template: template))
            }
            let failures = outcomes.compactMap(\.failure)
            result.summary = outcomes.map(Self.line).joined(separator: "; ")
            if failures.isEmpty {
                result.outcome = .ok
            } else {
                await alertSnapshot(failures, outcomes: outcomes, runID: runID)
                result.outcome = .failed
                result.error = failures.map(\.summary).joined(separator: "; ")
            }
            return result
        }
        return SnapshotRunResult(run: run, roles: outcomes)
    }

    /// The roles asked for, each with its template.
    func snapshotRoles(_ names: [String]?) throws -> [(RoleSettings, SnapshotTemplate)] {
        if let names {
            return try names.map { name in
                guard let role = fleet.role(name) else {
                    throw SnapshotJobError("there is no role \(name); roles: \(fleet.roles.map(\.name).joined(separator: ", "))")
                }
                guard let template = role.snapshot.template else {
                    throw SnapshotJobError("role \(name) has no snapshot.from: add from = \"TEMPLATE-SERVER\" to its snapshot table")
                }
                return (role, template)
            }
        }
        let all = fleet.roles.compactMap { role in role.snapshot.template.map { (role, $0) } }
        guard !all.isEmpty else {
            throw SnapshotJobError("no role has snapshot.from: add from = \"TEMPLATE-SERVER\" to a role's snapshot table")
        }
        return all
    }

    static func line(_ outcome: SnapshotOutcome) -> String {
        if let failure = outcome.failure { return "\(outcome.role) failed at \(failure.step)" }
        var text = "\(outcome.role) \(outcome.image.map { $0.name } ?? "?")\(outcome.reused ? " (already there)" : "")"
        if !outcome.deleted.isEmpty { text += ", pruned \(outcome.deleted.count)" }
        return text
    }

    /// Alerts each failure at once, naming the role, the template and the time left before the next window.
    private func alertSnapshot(_ failures: [StepFailure], outcomes: [SnapshotOutcome], runID: Int64) async {
        let now = clock.now()
        let input = try? await PlannerInput.read(store, command: .reconcile, now: now, settings: fleet, observed: Observation(nodes: []))
        let next = input?.windows.first { $0.end > now }
        let when: String = switch next {
        case nil: "no window is scheduled"
        case let window? where window.start <= now: "the window of \(window.primary.name) is open now"
        case let window?: "\(DurationText.format(.seconds((window.start.since(now).timeInterval / 60).rounded() * 60))) before the window of \(window.primary.name) opens"
        }
        let alerts = failures.map { failure -> Alert in
            var failure = failure
            let template = outcomes.first { $0.role == failure.role }?.template ?? "?"
            failure.details.insert("template: \(template); \(when)", at: 0)
            return Alert.failure(failure, command: "snapshot", fleet: fleet.fleet, event: next?.primary, zone: fleet.timeZone, now: now)
        }
        notices(.alerted(await self.alerts.failed(alerts, runID: runID, mode: "snapshot")))
    }
}
