import Foundation
import ScaleCore

/// `window` in JSON: the window's bounds and the event it is named after.
struct WindowOutput: Encodable, Sendable {
    var event: String
    var eventId: Int64
    var events: [Int64]
    var start: Date
    var end: Date
    var eventStart: Date
    var eventEnd: Date

    init(_ window: Window) {
        event = window.primary.name
        eventId = window.primary.id
        events = window.events.map(\.id)
        start = window.start
        end = window.end
        eventStart = window.primary.start
        eventEnd = window.events.map(\.end).max() ?? window.primary.end
    }
}

struct PlanOutput: Encodable {
    struct RoleOutput: Encodable {
        var role: String
        var desired: Int
        var event: String?
        /// Set when the server limit leaves no room for every wanted node: how many are planned, and why.
        var shortage: Nullable<Shortage>
        var steps: [StepOutput]
    }

    struct StepOutput: Encodable {
        var kind: String
        var summary: String
        var nodes: [String]
    }

    var command: String
    var now: Date
    var mode: String
    var reason: String
    var window: WindowOutput?
    var next: WindowOutput?
    var roles: [RoleOutput]
    var overrides: [String]
    var lead: LeadAdvice?
    /// Why the plan must not run (a cap), or null.
    var refusal: Nullable<String>

    init(_ plan: Plan, zone: TimeZone) {
        refusal = Nullable(plan.refusal)
        command = plan.command.rawValue
        now = plan.now
        mode = plan.mode.rawValue
        reason = plan.reason
        window = plan.window.map(WindowOutput.init)
        next = plan.nextWindow.map(WindowOutput.init)
        roles = plan.roles.map { role in
            RoleOutput(
                role: role.role, desired: role.desired, event: role.event, shortage: Nullable(role.shortage),
                steps: role.steps.map { StepOutput(kind: $0.kind, summary: $0.summary, nodes: $0.names) })
        }
        overrides = plan.overrides.map { $0.summary(zone: zone) }
    }
}

struct RunOutput: Encodable {
    struct RoleResult: Encodable {
        var role: String
        var desired: Int
        var running: Int
        var healthy: Int?
        var ready: Int?
        var failedStep: String?
        var replaced: [String]
        var warnings: [String]
        var timings: [StepTiming]
    }

    struct FailureOutput: Encodable {
        var role: String
        var step: String
        var summary: String
        var nodes: [String]
        var details: [String]
        var action: String
        var providerCode: String?
        var requestId: String?
    }

    var runId: Int64
    var command: String
    var outcome: String
    var plan: PlanOutput?
    var durationSeconds: Double?
    var created: [String]
    var deleted: [String]
    var roles: [RoleResult]
    var failures: [FailureOutput]
    var error: String?

    init(runID: Int64, command: Command, plan: Plan?, report: ExecutionReport?, failure: String?, zone: TimeZone = .gmt) {
        runId = runID
        self.command = command.rawValue
        outcome = failure != nil ? "failed" : (plan?.mode == .idle ? "idle" : "ok")
        self.plan = plan.map { PlanOutput($0, zone: zone) }
        durationSeconds = report?.duration.timeInterval
        created = report?.created ?? []
        deleted = report?.deleted ?? []
        roles = report?.roles.map {
            RoleResult(
                role: $0.role, desired: $0.desired, running: $0.nodes.filter { $0.state == .running }.count,
                healthy: $0.healthy, ready: $0.ready, failedStep: $0.failure?.step, replaced: $0.replaced, warnings: $0.warnings,
                timings: $0.timings)
        } ?? []
        failures = report?.failures.map {
            FailureOutput(
                role: $0.role, step: $0.step, summary: $0.summary, nodes: $0.nodes.map(\.name), details: $0.details,
                action: $0.action, providerCode: $0.providerError?.code, requestId: $0.providerError?.requestID)
        } ?? []
        error = failure
    }
}
