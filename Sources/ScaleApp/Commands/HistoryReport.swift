import Foundation
import ScaleCore
import ScaleStore

/// `scalectl history`: past runs with step timings.
public struct HistoryReport: Sendable {
    public let context: AppContext

    public init(context: AppContext) { self.context = context }

    struct Output: Encodable {
        var run: RunInfo
        var durationSeconds: Double?
        var steps: [StepInfo]
    }

    public func run(limit: Int) async throws -> ExitStatus {
        let history = try await context.store.history(limit: limit)
        if context.console.json {
            context.console.emit(Self.entries(history))
            return .ok
        }
        if history.isEmpty { context.console.line("no runs yet") }
        let zone = context.fleet.timeZone
        for (run, steps) in history {
            let took = run.endedAt.map { String(format: "%.1fs", $0.timeIntervalSince(run.startedAt)) } ?? "-"
            context.console.line("#\(run.id) \(run.command.padding(toLength: 9, withPad: " ", startingAt: 0)) \(TimeText.local(run.at, zone: zone))  \(run.outcome.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(took)  \(run.summary ?? run.error ?? "")")
            if let error = run.error, run.summary != nil { context.console.line("     error: \(error)") }
            for line in Self.timings(steps) { context.console.line("     \(line)") }
        }
        return .ok
    }

    /// `history --json`, and the page's runs.
    static func entries(_ history: [RunHistory]) -> [Output] {
        history.map { entry in
            Output(run: entry.run, durationSeconds: entry.run.endedAt.map { $0.timeIntervalSince(entry.run.startedAt) }, steps: entry.steps)
        }
    }

    /// One line per role: its role-level steps with durations, failed ones marked.
    static func timings(_ steps: [StepInfo]) -> [String] {
        var roles: [String] = []
        var byRole: [String: [String]] = [:]
        for step in steps where step.target == nil {
            guard let role = step.role else { continue }
            if byRole[role] == nil { roles.append(role) }
            let seconds = step.seconds.map { String(format: "%.1fs", $0) } ?? "unfinished"
            let mark = step.outcome == .ok ? "" : " \(step.outcome.rawValue.uppercased())"
            byRole[role, default: []].append("\(step.kind) \(seconds)\(mark)")
        }
        return roles.map { "\($0): " + byRole[$0, default: []].joined(separator: ", ") }
    }
}
