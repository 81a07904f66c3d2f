import Foundation

/// How to find the newest snapshot of a role and how old it may be.
public struct SnapshotRule: Sendable, Hashable {
    /// What ``selector`` is.
    public enum Matching: String, Sendable, Hashable {
        /// A label selector (`labels = "role=frontal"`): Hetzner, AWS, the sim.
        case labels
        /// The start of the snapshot's name (`name_prefix = "frontal-"`): DigitalOcean, whose snapshots carry no labels.
        case namePrefix = "name_prefix"
    }

    /// A label selector (`role=frontal`) in the provider's syntax, or a name prefix (see ``matching``).
    public var selector: String
    public var matching: Matching = .labels
    public var maxAge: Duration
    /// Where `scalectl snapshot` takes this role's daily snapshot from; nil: something else takes them.
    public var template: SnapshotTemplate?

    public init(selector: String, maxAge: Duration, template: SnapshotTemplate? = nil, matching: Matching = .labels) {
        self.selector = selector
        self.matching = matching
        self.maxAge = maxAge
        self.template = template
    }

    /// `the selector "role=frontal"`, `the name prefix "frontal-"`: for messages.
    public var described: String {
        switch matching {
        case .labels: "the selector \"\(selector)\""
        case .namePrefix: "the name prefix \"\(selector)\""
        }
    }
}

/// `snapshot = { from = "frontal-template", take_at = "17:00", keep = 7 }`: the controller takes the
/// role's daily snapshot itself.
public struct SnapshotTemplate: Sendable, Hashable {
    /// A server name, or a label selector (it contains `=`) that must match exactly one server.
    public var from: String
    /// Local time of day, in the controller's zone, as hour and minute.
    public var takeAt: (hour: Int, minute: Int) { (takeAtMinutes / 60, takeAtMinutes % 60) }
    /// Minutes after local midnight.
    public var takeAtMinutes: Int
    /// How many of this fleet's own snapshots of the role to keep.
    public var keep: Int
    /// Stop the template for a consistent image (`consistent = "shutdown"`): Hetzner shuts it down
    /// gracefully first; AWS lets `CreateImage` reboot it.
    public var consistent: Bool
    /// How long taking one may last before it counts as failed.
    public var within: Duration

    public init(from: String, takeAtMinutes: Int, keep: Int, consistent: Bool = false, within: Duration = .seconds(3600)) {
        self.from = from
        self.takeAtMinutes = takeAtMinutes
        self.keep = keep
        self.consistent = consistent
        self.within = within
    }
}

/// How to tell that a node of a role is really ready.
public struct ReadinessCheck: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// GET the URL; any 2xx answer is ready.
        case http
        /// `host:port` accepts a TCP connection.
        case tcp
        /// The shell command exits 0.
        case command
    }

    public var kind: Kind
    /// A template knowing `{name}`, `{private_ip}`, `{public_ip}`, `{role}`, `{event}` (and provider extras).
    public var template: String
    /// How long after the node runs the check may keep failing before the gate fails.
    public var within: Duration

    public init(kind: Kind, template: String, within: Duration) {
        self.kind = kind
        self.template = template
        self.within = within
    }
}

/// One kind of node and how the controller treats it.
public struct RoleSettings: Sendable, Hashable {
    public var name: String
    public var count: Int
    /// The server types to create nodes of, preferred first (`server_types`; `server_type` is the
    /// one-element form). A type sold out where the provider would create moves a node to the next one.
    public var serverTypes: [String]
    public var snapshot: SnapshotRule
    /// The load balancer front-ends join, if any.
    public var loadBalancer: String?
    public var ready: ReadinessCheck?
    /// The most nodes of this role a plan may ask for.
    public var maxNodes: Int?
    /// Going on with this many nodes ready is acceptable (with a warning) when not all are.
    public var minReady: Int?
    /// When the cloud has no room for every role, roles of higher priority get their nodes first.
    public var priority: Int
    /// The fewest nodes the role is useful with (`min`); nil: every wanted node. Fewer obtained than
    /// wanted but at least this many is a degraded fleet; fewer than this, a failed one.
    public var min: Int?

    public init(
        name: String, count: Int, serverType: String, snapshot: SnapshotRule,
        loadBalancer: String? = nil, ready: ReadinessCheck? = nil, maxNodes: Int? = nil, minReady: Int? = nil,
        serverTypes: [String]? = nil, priority: Int = 0, min: Int? = nil
    ) {
        self.name = name
        self.count = count
        self.serverTypes = serverTypes ?? [serverType]
        self.snapshot = snapshot
        self.loadBalancer = loadBalancer
        self.ready = ready
        self.maxNodes = maxNodes
        self.minReady = minReady
        self.priority = priority
        self.min = min
    }

    /// The preferred server type.
    public var serverType: String {
        get { serverTypes[0] }
        set { serverTypes[0] = newValue }
    }

    /// The fewest of `wanted` nodes the role is useful with.
    public func minimum(of wanted: Int) -> Int { Swift.min(min ?? wanted, wanted) }
}

/// Everything the planner and executor need to know about one fleet.
public struct FleetSettings: Sendable, Hashable {
    public var fleet: String
    public var timeZone: TimeZone
    public var lead: Duration
    public var margin: Duration
    public var drain: Duration
    /// Roles in a stable order.
    public var roles: [RoleSettings]
    /// The most nodes of all roles together a plan may ask for.
    public var maxNodes: Int?
    /// Where the provider may create nodes, preferred first (Hetzner locations, AWS subnets, sim
    /// locations); empty: where the provider's own settings say.
    public var placements: [String] = []
    /// The most servers the project (or account) may hold, when the configuration says (`server_limit`).
    public var serverLimit: Int?
    /// Whether the provider reports the health of each balancer member. When it does not (DigitalOcean),
    /// the planner plans no health wait after attaching: the role's readiness probes are the gate.
    public var balancerReportsHealth = true

    public init(
        fleet: String, timeZone: TimeZone, lead: Duration, margin: Duration, drain: Duration, roles: [RoleSettings],
        maxNodes: Int? = nil
    ) {
        self.fleet = fleet
        self.timeZone = timeZone
        self.lead = lead
        self.margin = margin
        self.drain = drain
        self.roles = roles
        self.maxNodes = maxNodes
    }

    public func role(_ name: String) -> RoleSettings? { roles.first { $0.name == name } }

    /// Every place a node of `role` may be created, in the order tried: each server type in every
    /// placement before the next type (the type is what the role was sized for; placements in one
    /// network zone are alike).
    public func choices(for role: RoleSettings) -> [Placement] {
        role.serverTypes.flatMap { type in places.map { Placement(serverType: type, location: $0) } }
    }

    /// The places nodes are created in, in order: the placements, or the provider's own choice (nil).
    public var places: [String?] { placements.isEmpty ? [nil] : placements }
}

/// A server type in a place (nil: where the provider's settings say).
public struct Placement: Sendable, Hashable, CustomStringConvertible {
    public var serverType: String
    public var location: String?

    public init(serverType: String, location: String? = nil) {
        self.serverType = serverType
        self.location = location
    }

    /// `cpx31 in fsn1`, or `cpx31`.
    public var description: String { location.map { "\(serverType) in \($0)" } ?? serverType }
}
