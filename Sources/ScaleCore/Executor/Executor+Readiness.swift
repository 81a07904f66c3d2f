import Foundation

extension Executor {
    func probe(_ names: [String], role: String, scope: RunScope) async throws -> Int {
        guard let check = fleet.role(role)?.ready else { return names.count }
        let wanted = Set(names)
        let nodes = try await scope.watcher.current().filter { wanted.contains($0.name) }
        let deadline = clock.now() + check.within
        progress.report(.began(role: role, step: "probe", text: "checking readiness (\(check.kind.rawValue)) for up to \(DurationText.format(check.within))"))
        let counter = ReadyCounter(total: names.count, role: role, progress: progress)
        let problems = try await withThrowingTaskGroup(of: (Node, String?).self) { group in
                for node in nodes {
                    group.addTask {
                        let problem = try await prober.waitUntilReady(
                            check, node: node, role: role, deadline: deadline, interval: settings.probeInterval, clock: clock)
                        if problem == nil { await counter.add() }
                        return (node, problem)
                    }
                }
                var problems: [(Node, String)] = []
                for try await (node, problem) in group { if let problem { problems.append((node, problem)) } }
                return problems.sorted { $0.0.name.localizedStandardCompare($1.0.name) == .orderedAscending }
        }
        let missing = names.filter { name in !nodes.contains { $0.name == name } }
        guard problems.isEmpty, missing.isEmpty else {
            throw StepFailure(
                role: role, step: "probe",
                summary: "\(problems.count + missing.count) of \(names.count) \(role) nodes not ready within \(DurationText.format(check.within))",
                nodes: problems.map(\.0),
                details: problems.map { "\($0.0.summary): \($0.1)" } + missing.map { "\($0): not found at the provider" },
                action: "kept every node; fix the service on them, then run `scalectl up` again",
                replaceable: problems.map(\.0.name) + missing, passing: names.count - problems.count - missing.count
            )
        }
        return names.count
    }
}

/// Counts nodes that became ready; reports the first and last count and at most one a second between,
/// so a large fleet does not fill a cron mail.
private actor ReadyCounter {
    let total: Int
    let role: String
    let progress: any ProgressSink
    var ready = 0
    var lastReport = ContinuousClock.now

    init(total: Int, role: String, progress: any ProgressSink) {
        self.total = total
        self.role = role
        self.progress = progress
        progress.report(.counted(role: role, what: "ready", done: 0, total: total))
    }

    func add() {
        ready += 1
        let now = ContinuousClock.now
        guard ready == total || now - lastReport >= .seconds(1) else { return }
        lastReport = now
        progress.report(.counted(role: role, what: "ready", done: ready, total: total))
    }
}
