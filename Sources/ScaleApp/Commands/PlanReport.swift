import Foundation
import ScaleCore

/// `scalectl plan`: what `reconcile` would do now, touching nothing.
public struct PlanReport: Sendable {
    public let context: AppContext

    public init(context: AppContext) { self.context = context }

    /// Shows the plan; a plan the caps refuse is shown too, then refused as `reconcile` would refuse it.
    /// - Throws: ``InputError`` (exit 2) when the plan breaks a cap.
    public func run() async throws -> ExitStatus {
        let (plan, _) = try await context.coordinator(alerting: false).preview(.reconcile)
        let zone = context.fleet.timeZone
        let advice = await context.leadAdvice(next: plan.nextWindow?.primary)
        if context.console.json {
            var output = PlanOutput(plan, zone: zone)
            output.lead = advice
            context.console.emit(output)
        } else {
            for line in Self.lines(plan, zone: zone) { context.console.line(line) }
            for line in await balancerNotes(plan) { context.console.line(line) }
            let (line, warning) = advice.lines(zone: zone)
            context.console.line(line)
            if let warning { context.console.problem(warning) }
        }
        if let refusal = plan.refusal { throw InputError("refusing the plan: " + refusal) }
        return .ok
    }

    /// How nodes join the balancers the plan attaches to, where the provider says (a DigitalOcean
    /// balancer by tag or by id), and that no health is waited for where the provider reports none.
    func balancerNotes(_ plan: Plan) async -> [String] {
        let attached = plan.roles.flatMap(\.steps).compactMap { step -> String? in if case .attach(let balancer, _) = step { balancer } else { nil } }
        var notes: [String] = []
        for balancer in Array(Set(attached)).sorted() {
            if let lookup = try? context.providerBundle().balancerLookup, let calls = try? context.providerCalls(),
               let note = try? await calls.call("balancer", "look up load balancer \(balancer)", { try await lookup.joinNote(for: balancer) }) {
                notes.append("\(balancer): \(note)")
            }
            if !context.fleet.balancerReportsHealth {
                notes.append("\(balancer): the provider reports no health per node; after attaching, the roles' readiness probes are the gate")
            }
        }
        return notes
    }

    static func lines(_ plan: Plan, zone: TimeZone) -> [String] {
        var lines = ["plan for \(plan.command.rawValue) at \(TimeText.local(plan.now, zone: zone)): \(plan.mode == .idle ? "nothing to do" : plan.mode.rawValue): \(plan.reason)"]
        for role in plan.roles where !role.steps.isEmpty {
            lines.append("\(role.role): \(role.desired) wanted" + (role.event.map { " (event #\($0))" } ?? ""))
            if let shortage = role.shortage {
                lines.append("  SHORT: \(shortage.planned) of \(role.desired) planned: \(shortage.reason)")
            }
            for (index, step) in role.steps.enumerated() {
                lines.append("  \(index + 1). \(step.summary)")
            }
        }
        if plan.mode == .down { lines.append("then: verify that no owned node is left") }
        if let refusal = plan.refusal { lines.append("REFUSED: \(refusal)") }
        if !plan.overrides.isEmpty {
            lines.append("overrides in force:")
            lines += plan.overrides.map { "  \($0.summary(zone: zone))" }
        }
        return lines
    }
}
