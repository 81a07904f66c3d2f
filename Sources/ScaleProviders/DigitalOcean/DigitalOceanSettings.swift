import Foundation

/// Everything the DigitalOcean provider needs but the token, which is read at the edge and passed as a
/// `Secret` (see `DigitalOceanCloud.init`).
public struct DigitalOceanSettings: Sendable, Hashable {
    public static let defaultEndpoint = URL(string: "https://api.digitalocean.com/v2")!

    /// The API base, such as `https://api.digitalocean.com/v2`.
    public var endpoint: URL
    /// The environment variable holding the API token (when no `tokenFile` is given).
    public var tokenVariable: String
    /// A file holding the API token, instead of the variable (resolved against the configuration file).
    public var tokenFile: String?
    /// The region slug droplets are created in (`fra1`, `ams3`, ...): required, the API has no default.
    public var region: String
    /// The VPC droplets join at creation; the region's default VPC when nil.
    public var vpcUUID: String?
    /// SSH key ids or fingerprints put on every droplet.
    public var sshKeys: [String]
    /// Tags added to every droplet besides the ownership tags.
    public var tags: [String]
    /// Install the monitoring agent.
    public var monitoring: Bool
    /// Page size of every list call (DigitalOcean allows 1 to 200).
    public var perPage: Int
    /// The per-minute request limit the `ratelimit-*` headers do not report (DigitalOcean: 250); calls
    /// slow down before it is reached.
    public var requestsPerMinute = 250
    /// Size slug → price in USD per hour, for cost reports.
    public var prices: [String: Double]
    /// Size slug → its monthly price in USD, the cap of a month's per-second charges, when given.
    public var monthlyPrices: [String: Double]
    /// Between two polls of running actions and of droplets shutting down.
    public var actionPollInterval: Duration
    /// Longest wait for one action.
    public var actionTimeout: Duration
    /// Wait for a graceful shutdown to reach `off` before powering the droplet off.
    public var shutdownTimeout: Duration
    /// Timeout of each HTTP request.
    public var requestTimeout: Duration
    /// How long the first of several concurrent creates waits for the others, so that they share one
    /// `POST /v2/droplets` with `names` (at most ten a call).
    public var batchWindow: Duration
    /// Role → the load balancer it joins (from the roles' `load_balancer`): a tag-based balancer's tag
    /// is put on the role's droplets at creation.
    public var roleBalancers: [String: String]

    public init(
        endpoint: URL = DigitalOceanSettings.defaultEndpoint, tokenVariable: String = "DIGITALOCEAN_TOKEN", tokenFile: String? = nil,
        region: String = "", vpcUUID: String? = nil, sshKeys: [String] = [], tags: [String] = [], monitoring: Bool = false,
        perPage: Int = 200, prices: [String: Double] = [:], monthlyPrices: [String: Double] = [:],
        actionPollInterval: Duration = .seconds(3), actionTimeout: Duration = .seconds(600), shutdownTimeout: Duration = .seconds(60),
        requestTimeout: Duration = .seconds(30), batchWindow: Duration = .milliseconds(200), roleBalancers: [String: String] = [:]
    ) {
        self.endpoint = endpoint
        self.tokenVariable = tokenVariable
        self.tokenFile = tokenFile
        self.region = region
        self.vpcUUID = vpcUUID
        self.sshKeys = sshKeys
        self.tags = tags
        self.monitoring = monitoring
        self.perPage = perPage
        self.prices = prices
        self.monthlyPrices = monthlyPrices
        self.actionPollInterval = actionPollInterval
        self.actionTimeout = actionTimeout
        self.shutdownTimeout = shutdownTimeout
        self.requestTimeout = requestTimeout
        self.batchWindow = batchWindow
        self.roleBalancers = roleBalancers
    }

    /// Whether `text` is a DigitalOcean tag name: letters, numbers, colons, dashes and underscores, 1 to
    /// 255 characters (the API reference, Tags).
    public static func isTag(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 255 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ":-_".contains($0)) }
    }

    /// `scalectl-fleet-NAME`: every droplet of the fleet carries it; listings ask for it.
    public static func fleetTag(_ fleet: String) -> String { "scalectl-fleet-\(fleet)" }

    /// `scalectl-role-NAME-ROLE`: the role's droplets carry it.
    public static func roleTag(fleet: String, role: String) -> String { "scalectl-role-\(fleet)-\(role)" }
}
