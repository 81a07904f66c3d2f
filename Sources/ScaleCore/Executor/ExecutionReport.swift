import Foundation

/// A gate that did not pass: which step, which nodes, what the provider said, and what was done about it.
public struct StepFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var role: String
    /// The step kind (``Step/kind``), or `verify`.
    public var step: String
    /// One line with the numbers: "2 of 5 frontal nodes unhealthy on the load balancer mihiluze-lb".
    public var summary: String
    /// The nodes concerned, as last seen.
    public var nodes: [Node]
    /// One line per node or cause.
    public var details: [String]
    public var providerError: ProviderError?
    /// What the controller did about it: kept, rolled back, retried.
    public var action: String
    /// Nodes that did not pass a gate and may be replaced by creating them again.
    public var replaceable: [String]
    /// How many nodes passed the gate, for `min_ready`.
    public var passing: Int?

    public init(
        role: String, step: String, summary: String, nodes: [Node] = [], details: [String] = [],
        providerError: ProviderError? = nil, action: String, replaceable: [String] = [], passing: Int? = nil
    ) {
        self.role = role
        self.step = step
        self.summary = summary
        self.nodes = nodes
        self.details = details
        self.providerError = providerError
        self.action = action
        self.replaceable = replaceable
        self.passing = passing
    }

    public var description: String { "\(role) \(step): \(summary)" }
}

/// How one role's pipeline ended.
public struct RoleOutcome: Sendable, Hashable {
    public var role: String
    public var desired: Int
    /// The role's nodes as last observed.
    public var nodes: [Node]
    /// Nodes healthy on the balancer, when the role has one and it was checked.
    public var healthy: Int?
    /// Nodes that passed the readiness check, when it ran.
    public var ready: Int?
    public var failure: StepFailure?
    /// Gates passed with fewer nodes than wanted, as `min_ready` allows.
    public var warnings: [String]
    /// Nodes deleted and created again because they never booted or never got ready.
    public var replaced: [String]
    /// Step kind and how long it took, in order.
    public var timings: [StepTiming]
}

public struct StepTiming: Sendable, Hashable, Codable {
    public var step: String
    public var seconds: Double
}

/// What a run did.
public struct ExecutionReport: Sendable, Hashable {
    public var mode: Plan.Mode
    public var roles: [RoleOutcome]
    /// The check after a teardown that nothing owned is left.
    public var verification: StepFailure?
    public var created: [String]
    public var deleted: [String]
    public var duration: Duration

    public var failures: [StepFailure] { roles.compactMap(\.failure) + (verification.map { [$0] } ?? []) }
    public var warnings: [String] { roles.flatMap { role in role.warnings.map { "\(role.role): \($0)" } } }
    public var succeeded: Bool { failures.isEmpty }

    /// What a plan that changes nothing did: nothing.
    public static func nothing(_ mode: Plan.Mode) -> ExecutionReport {
        ExecutionReport(mode: mode, roles: [], verification: nil, created: [], deleted: [], duration: .zero)
    }
}
