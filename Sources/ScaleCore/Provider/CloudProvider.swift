import Foundation

/// A machine image to create nodes from.
public struct Snapshot: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date

    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// Everything a provider needs to create one node.
public struct NodeSpec: Sendable, Hashable {
    public var name: String
    public var role: String
    public var serverType: String
    public var snapshot: Snapshot
    /// The ownership labels: fleet, role, event, run.
    public var labels: [String: String]
    /// Where to create it (a Hetzner location, an AWS subnet, a sim location); nil: where the provider's
    /// settings say.
    public var location: String?

    public init(name: String, role: String, serverType: String, snapshot: Snapshot, labels: [String: String], location: String? = nil) {
        self.name = name
        self.role = role
        self.serverType = serverType
        self.snapshot = snapshot
        self.labels = labels
        self.location = location
    }
}

/// An adapter to one cloud's API. One instance serves one fleet.
///
/// Keep it small: optional abilities are separate protocols (``LoadBalancing``, ``GracefulShutdown``).
/// Errors are ``ProviderError``s; retrying is the caller's business (see ``ProviderCalls``), so an
/// implementation makes each call once.
public protocol CloudProvider: Sendable {
    /// `sim`, `hetzner`, `aws`: for messages.
    var name: String { get }

    /// The newest usable snapshot matching `selector` (a label selector), or nil when there is none.
    func newestSnapshot(role: String, selector: String) async throws -> Snapshot?

    /// Every node carrying this fleet's ownership label, in every state but gone, in one logical call.
    func listNodes() async throws -> [Node]

    /// The node with this exact name, whoever owns it, or nil.
    func node(named name: String) async throws -> Node?

    /// Creates one node and returns it as the provider first reports it.
    func createNode(_ spec: NodeSpec) async throws -> Node

    /// Starts deleting a node. A node that is already gone is not an error.
    func deleteNode(_ node: Node) async throws
}

/// A provider whose load balancers the controller can put nodes behind.
public protocol LoadBalancing: Sendable {
    /// Node id → health of the nodes of `role` that `balancer` holds.
    func members(of balancer: String, role: String) async throws -> [String: BalancerHealth]

    /// Adds the nodes of a role; one API call where the API allows.
    func attach(_ nodes: [Node], role: String, to balancer: String) async throws

    /// Removes the nodes of a role.
    func detach(_ nodes: [Node], role: String, from balancer: String) async throws
}

/// A provider that should be asked to shut a node down before deleting it.
public protocol GracefulShutdown: Sendable {
    func shutDown(_ node: Node) async throws
}
