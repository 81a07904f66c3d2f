import Foundation

/// The three commands that change the fleet.
public enum Command: String, Sendable, Codable, CaseIterable {
    case up, down, reconcile
}

/// What the provider says exists: the fleet's nodes and the members of its load balancers.
public struct Observation: Sendable, Hashable {
    public var nodes: [Node]
    /// Load-balancer name → node id → health, for the balancers the roles name.
    public var balancers: [String: [String: BalancerHealth]]
    /// Load-balancer name → why it could not be read (renamed, deleted, an error): the health of its
    /// role's nodes is unknown; the other roles, and teardown by ownership labels, go on.
    public var unreadBalancers: [String: String]

    public init(nodes: [Node], balancers: [String: [String: BalancerHealth]] = [:], unreadBalancers: [String: String] = [:]) {
        self.nodes = nodes
        self.balancers = balancers
        self.unreadBalancers = unreadBalancers
    }

    public func isMember(_ node: Node, of balancer: String) -> Bool { balancers[balancer]?[node.id] != nil }
}

/// Why nodes are deleted.
public enum DeleteReason: String, Sendable, Hashable, Codable {
    /// Broken (off, error, stopping): deleted to be created again under the same name.
    case replace
    /// More than the desired count, a duplicate, or left from another event.
    case extra
    /// The window is over.
    case teardown
}

/// One step of a role's pipeline. Node lists are names where the node may not exist yet.
public enum Step: Sendable, Hashable {
    case resolveSnapshot
    case delete([Node], DeleteReason)
    case awaitGone([String])
    case create([String])
    case awaitRunning([String])
    case attach(balancer: String, [String])
    case awaitHealthy(balancer: String, [String])
    case probe([String])
    case detach(balancer: String, [Node])
    case drain(Duration)

    /// What a step does, as journaled and as named by crash points.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case resolveSnapshot = "resolve-snapshot"
        case delete
        case awaitGone = "await-gone"
        case create
        case awaitRunning = "await-running"
        case attach
        case awaitHealthy = "await-healthy"
        case probe
        case detach
        case drain

        /// The gates a role passes when its nodes are ready: the last of them to end marks the scale-up done.
        public var isReadinessGate: Bool { self == .awaitRunning || self == .awaitHealthy || self == .probe }
    }

    public var stepKind: Kind {
        switch self {
        case .resolveSnapshot: .resolveSnapshot
        case .delete: .delete
        case .awaitGone: .awaitGone
        case .create: .create
        case .awaitRunning: .awaitRunning
        case .attach: .attach
        case .awaitHealthy: .awaitHealthy
        case .probe: .probe
        case .detach: .detach
        case .drain: .drain
        }
    }

    /// The step's kind as journaled and as named by crash points: `create`, `await-running`, ...
    public var kind: String { stepKind.rawValue }
}

/// The ordered steps for one role.
public struct RolePlan: Sendable, Hashable {
    public var role: String
    /// Nodes wanted while the window lasts (0 when tearing down).
    public var desired: Int
    /// The event label new nodes carry.
    public var event: String?
    public var steps: [Step]
    /// Replacement rounds this role already used in the current window, in earlier runs (see
    /// ``PlannerInput/replacementsUsed``): the executor replaces only up to the limit minus these.
    public var replacementsUsed: Int
    /// Set when the cloud has no room for all `desired` nodes (the server limit): how many the plan
    /// asks for, and why.
    public var shortage: Shortage?

    public init(role: String, desired: Int, event: String?, steps: [Step], replacementsUsed: Int = 0, shortage: Shortage? = nil) {
        self.role = role
        self.desired = desired
        self.event = event
        self.steps = steps
        self.replacementsUsed = replacementsUsed
        self.shortage = shortage
    }
}

/// Fewer nodes planned for a role than wanted, because the server limit leaves no room for them.
public struct Shortage: Sendable, Hashable, Codable {
    /// Nodes the role will have (kept and created) instead of ``RolePlan/desired``.
    public var planned: Int
    /// The numbers: `the server limit 10 (project) leaves room for 2 more servers (8 in use)`.
    public var reason: String

    public init(planned: Int, reason: String) {
        self.planned = planned
        self.reason = reason
    }
}

extension RolePlan {
    /// Whether the plan creates servers for the role.
    public var creates: Bool {
        steps.contains { if case .create = $0 { true } else { false } }
    }

    /// Whether the role's nodes are being torn down (the window is over, or forced).
    public var isTeardown: Bool {
        steps.contains { if case .delete(_, .teardown) = $0 { true } else { false } }
    }
}

/// What a run will do, computed by ``Planner``.
public struct Plan: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, Codable {
        /// Ensure the fleet of the current window.
        case up
        /// Tear down every owned node.
        case down
        /// Nothing to change.
        case idle
    }

    public var command: Command
    public var now: Date
    public var mode: Mode
    /// One line saying why this mode: "event #3 ... is on", "no event now; next ...".
    public var reason: String
    /// The window covering `now`, if any.
    public var window: Window?
    /// The next window starting after `now`, if any.
    public var nextWindow: Window?
    public var roles: [RolePlan]
    /// Overrides that shaped this plan.
    public var overrides: [Override]
    /// Why the plan must not run (it asks for more nodes than `max_nodes` allows), with the numbers; nil
    /// when it may. A refused plan changes nothing, whichever command shows it.
    public var refusal: String?

    /// True when running the plan changes nothing (it may still verify).
    public var changesNothing: Bool {
        roles.allSatisfy { plan in
            plan.steps.allSatisfy {
                switch $0 {
                case .resolveSnapshot, .awaitRunning, .awaitHealthy, .probe: true
                default: false
                }
            }
        }
    }
}

extension Step {
    /// What the step does, for the plan printout and the journal.
    public var summary: String {
        switch self {
        case .resolveSnapshot: "find the newest snapshot"
        case .delete(let nodes, let reason): "delete \(Step.list(nodes.map(\.name))) (\(reason.rawValue))"
        case .awaitGone(let names): "wait until \(Step.list(names)) \(names.count == 1 ? "is" : "are") gone"
        case .create(let names): "create \(Step.list(names))"
        case .awaitRunning(let names): "wait until \(names.count) running"
        case .attach(let balancer, let names): "attach \(Step.list(names)) to \(balancer)"
        case .awaitHealthy(let balancer, let names): "wait until \(names.count) healthy on \(balancer)"
        case .probe(let names): "check readiness of \(names.count)"
        case .detach(let balancer, let nodes): "detach \(Step.list(nodes.map(\.name))) from \(balancer)"
        case .drain(let duration): "wait \(DurationText.format(duration)) for connections to drain"
        }
    }

    /// A check that nodes passed (running, healthy, ready): safe to run again.
    public var isGate: Bool { stepKind.isReadinessGate }

    /// The node names the step concerns.
    public var names: [String] {
        switch self {
        case .resolveSnapshot, .drain: []
        case .delete(let nodes, _), .detach(_, let nodes): nodes.map(\.name)
        case .awaitGone(let names), .create(let names), .awaitRunning(let names), .attach(_, let names),
            .awaitHealthy(_, let names), .probe(let names): names
        }
    }

    static func list(_ names: [String]) -> String {
        names.count <= 4 ? names.joined(separator: ", ") : "\(names.prefix(3).joined(separator: ", ")) and \(names.count - 3) more"
    }
}
