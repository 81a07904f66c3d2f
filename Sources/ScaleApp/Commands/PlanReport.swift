import Foundation
import ScaleCore

/// `scalectl plan`: what `reconcile` would do now, touching nothing.
public struct PlanReport: Sendable {
    public let context: AppContext

    public init(context: AppContext) { self.context = context }

    public func run() async throws -> ExitStatus {
        let calls = try context.providerCalls()
        let observed = try await context.observe(calls)
        let plan = Planner.plan(try context.plannerInput(.reconcile, observed: observed))
        let zone = context.fleet.timeZone
        let advice = context.leadAdvice(next: plan.nextWindow?.primary)
        if context.console.json {
            var output = PlanOutput(plan, zone: zone)
            output.lead = advice
            context.console.emit(output)
            return .ok
        }
        for line in Self.lines(plan, zone: zone) { context.console.line(line) }
        let (line, warning) = advice.lines(zone: zone)
        context.console.line(line)
        if let warning { context.console.problem(warning) }
        return .ok
    }

    static func lines(_ plan: Plan, zone: TimeZone) -> [String] {
        var lines = ["plan for \(plan.command.rawValue) at \(TimeText.local(plan.now, zone: zone)): \(plan.mode == .idle ? "nothing to do" : plan.mode.rawValue): \(plan.reason)"]
        for role in plan.roles where !role.steps.isEmpty {
            lines.append("\(role.role): \(role.desired) wanted" + (role.event.map { " (event #\($0))" } ?? ""))
            for (index, step) in role.steps.enumerated() {
                lines.append("  \(index + 1). \(step.summary)")
            }
        }
        if plan.mode == .down { lines.append("then: verify that no owned node is left") }
        if !plan.overrides.isEmpty {
            lines.append("overrides in force:")
            lines += plan.overrides.map { "  \($0.summary(zone: zone))" }
        }
        return lines
    }
}
