import Foundation

// Optional abilities `scalectl doctor` uses to find, hours before an event, what would make its
// scale-up fail. A provider conforms to those its API can answer; each method only reads, and makes
// its requests once (callers go through `ProviderCalls`).

/// Whether a server type can be ordered where the provider creates nodes.
public enum TypeAvailability: Sendable, Hashable {
    /// It can be ordered in `place` (a location, a region); `note` says more, when there is more.
    case orderable(in: String, note: String? = nil)
    /// It can be ordered in `place` until `until`, then no more.
    case deprecated(in: String, until: Date)
    /// It cannot be ordered in `place` now, for `reason`.
    case unavailable(in: String, reason: String)
    /// The API does not say.
    case unknown(reason: String)
}

/// A provider that can tell whether server types can be ordered where it creates nodes.
public protocol ServerTypeAvailability: Sendable {
    /// In `location` (a Hetzner location, an AWS subnet), or where the provider's settings say when nil.
    func availability(of serverType: String, in location: String?) async throws -> TypeAvailability
}

extension ServerTypeAvailability {
    /// Where the provider's settings say.
    public func availability(of serverType: String) async throws -> TypeAvailability {
        try await availability(of: serverType, in: nil)
    }
}

/// How many servers the project (or account and region) holds, and how many it may.
public struct ServerQuota: Sendable, Hashable {
    /// Every server that counts against the limit, whoever made it: this fleet's included.
    public var used: Int
    /// The limit, when the API tells it.
    public var limit: Int?
    /// What the numbers cover: `project`, `region eu-west-1`.
    public var scope: String

    public init(used: Int, limit: Int?, scope: String) {
        self.used = used
        self.limit = limit
        self.scope = scope
    }
}

/// A provider that can count the servers that count against its limit.
public protocol QuotaReporting: Sendable {
    func serverQuota() async throws -> ServerQuota
    /// Whether ``serverQuota()`` tells the limit too (most APIs do not: `server_limit` says it then).
    var reportsLimit: Bool { get }
}

extension QuotaReporting {
    public var reportsLimit: Bool { false }
}

/// A provider that can look a load balancer (a target group on AWS) up by the name a role gives.
public protocol BalancerLookup: Sendable {
    /// Whether it exists; a missing one is `false`, not an error.
    func balancerExists(_ name: String) async throws -> Bool

    /// Why nodes created where the configuration says could not join the balancer (another network
    /// zone), or nil when they can or the API does not tell.
    func placementProblem(with balancer: String) async throws -> String?

    /// How nodes join the balancer, when the provider has more than one way (a DigitalOcean balancer
    /// that is tag-based), for `plan` and `doctor`; nil when there is nothing to say.
    func joinNote(for balancer: String) async throws -> String?
}

extension BalancerLookup {
    public func placementProblem(with balancer: String) async throws -> String? { nil }
    public func joinNote(for balancer: String) async throws -> String? { nil }
}
