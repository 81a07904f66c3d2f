import Foundation

/// Everything the Hetzner Cloud provider needs but the token, which is read at the edge and passed as a
/// `Secret` (see `HetznerCloud.init`).
public struct HetznerSettings: Sendable, Hashable {
    /// How a role joins its load balancer.
    public enum TargetKind: String, Sendable, Hashable, CaseIterable {
        /// One `label_selector` target per role (`scalectl-fleet=F,scalectl-role=R`): one call per role,
        /// and servers join or leave as they are created or deleted.
        case labelSelector = "label_selector"
        /// One `server` target per node: one call per node, each can be detached (and drained) alone.
        case servers
    }

    public static let defaultEndpoint = URL(string: "https://api.hetzner.cloud/v1")!

    /// Hetzner's locations and their network zones (docs.hetzner.cloud, "Locations" and "Networks"): a
    /// load balancer and a private network live in one zone, and only servers of that zone can join them.
    public static let networkZones: [String: String] = [
        "fsn1": "eu-central", "nbg1": "eu-central", "hel1": "eu-central", "ash": "us-east", "hil": "us-west", "sin": "ap-southeast",
    ]

    /// The API base, such as `https://api.hetzner.cloud/v1`.
    public var endpoint: URL
    /// The environment variable holding the API token (when no `tokenFile` is given).
    public var tokenVariable: String
    /// A file holding the API token, instead of the variable (resolved against the configuration file).
    public var tokenFile: String?
    /// Where servers are created (`fsn1`, `nbg1`, `hel1`, ...); Hetzner picks when nil.
    public var location: String?
    /// `locations`: where servers may be created, preferred first, all in one network zone; a server
    /// type sold out in one moves a node to the next.
    public var locations: [String] = []
    /// A private network id servers join at creation.
    public var network: Int?
    /// Firewall ids applied to servers at creation.
    public var firewalls: [Int]
    /// The load balancer reaches targets over the private network.
    public var usePrivateIP: Bool
    public var targets: TargetKind
    /// Page size of every list call (Hetzner allows 1 to 50).
    public var perPage: Int
    /// Server type → price in EUR per hour (as the Hetzner console lists it), for cost reports.
    public var prices: [String: Double]
    /// Server type → its monthly price in EUR, the cap of a month's hourly charges, when given.
    public var monthlyPrices: [String: Double] = [:]
    /// Between two polls of running actions, and of servers shutting down.
    public var actionPollInterval: Duration
    /// Longest wait for one action (create, delete, shutdown, target changes).
    public var actionTimeout: Duration
    /// Wait for a graceful shutdown to reach `off` before powering the server off.
    public var shutdownTimeout: Duration
    /// Timeout of each HTTP request.
    public var requestTimeout: Duration

    public init(
        endpoint: URL = HetznerSettings.defaultEndpoint, tokenVariable: String = "HCLOUD_TOKEN", tokenFile: String? = nil,
        location: String? = nil, network: Int? = nil, firewalls: [Int] = [], usePrivateIP: Bool = false,
        targets: TargetKind = .labelSelector, perPage: Int = 50, prices: [String: Double] = [:],
        actionPollInterval: Duration = .seconds(2), actionTimeout: Duration = .seconds(600),
        shutdownTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(30)
    ) {
        self.endpoint = endpoint
        self.tokenVariable = tokenVariable
        self.tokenFile = tokenFile
        self.location = location
        self.network = network
        self.firewalls = firewalls
        self.usePrivateIP = usePrivateIP
        self.targets = targets
        self.perPage = perPage
        self.prices = prices
        self.actionPollInterval = actionPollInterval
        self.actionTimeout = actionTimeout
        self.shutdownTimeout = shutdownTimeout
        self.requestTimeout = requestTimeout
    }
}
