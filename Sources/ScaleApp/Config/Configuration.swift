import Foundation
import ScaleCore
import ScaleProviders
import ScaleSim

/// Which cloud, with its typed settings.
public enum ProviderSettings: Sendable, Hashable {
    case sim(SimSettings)
    case hetzner(HetznerSettings)
    case aws(AWSSettings)
    case digitalOcean(DigitalOceanSettings)

    public var kind: String {
        switch self {
        case .sim: "sim"
        case .hetzner: "hetzner"
        case .aws: "aws"
        case .digitalOcean: "digitalocean"
        }
    }

    /// How roles choose their snapshots: by labels, or by name prefix on DigitalOcean.
    var snapshotMatching: SnapshotRule.Matching {
        if case .digitalOcean = self { .namePrefix } else { .labels }
    }

    /// Where nodes may be created, preferred first (`locations`, AWS `subnet_ids`); empty: the provider's
    /// single setting, or its own choice.
    public var placements: [String] {
        switch self {
        case .sim(let settings): settings.locations
        case .hetzner(let settings): settings.locations
        case .aws(let settings): settings.subnetIDs
        case .digitalOcean: []
        }
    }

    /// Template placeholders this provider's nodes offer beyond the standard ones.
    var extraTemplateKeys: Set<String> {
        switch self {
        case .sim: ["port"]
        case .hetzner, .aws, .digitalOcean: []
        }
    }
}

/// The whole configuration file, parsed and checked.
public struct Configuration: Sendable {
    /// The configuration file it was read from.
    public var file: String
    /// The SQLite database, as an absolute path; or, with ``postgres``, `postgres://USER@HOST:PORT/DB`.
    public var database: String
    /// `[controller] database = "postgres://…"`: the shared store for two or more hosts; nil: SQLite.
    public var postgres: PostgresSettings? = nil
    public var fleet: FleetSettings
    public var execution: ExecutionSettings
    public var retry: ProviderCalls.Policy
    public var provider: ProviderSettings
    /// `lead = "auto"`: learn the lead from past scale-ups (``fleet``'s lead is then the fallback).
    public var leadIsAuto: Bool
    /// Added to what scale-ups took, for the learned lead and the lead warning.
    public var leadSafety: Duration
    public var daemon: DaemonSettings
    /// `[alerts]`: email and webhook channels, dedupe, success summaries.
    public var alerts = AlertsConfiguration()
    /// `[provider] server_limit`: the most servers the project or account may hold, where the API does
    /// not tell: `doctor`'s quota check, and the plan fits the roles under it.
    public var serverLimit: Int? {
        get { fleet.serverLimit }
        set { fleet.serverLimit = newValue }
    }
    /// `[provider] snapshot_gb_month`: what a GB of snapshot storage costs a month, for `cost`.
    public var snapshotGBMonth: Double? = nil
    /// `[controller] history_keep`: runs, steps and settled alerts older than this are pruned (the node
    /// ledger and the scale-ups the lead is learned from are kept).
    public var historyKeep: Duration = .seconds(90 * 86_400)
    /// `[controller] lease`: how long the leader lease lasts unrenewed (renewed every third of it). A
    /// standby takes over within this after the leader dies.
    public var lease: Duration = .seconds(30)
    /// `[calendar]`: subscribed feeds.
    public var calendar = CalendarSettings()

    /// Settings of `scalectl daemon`.
    public struct DaemonSettings: Sendable, Hashable {
        /// Reconcile this often while a window is open.
        public var interval: Duration = .seconds(60)
        /// Look for calendar and override changes this often (a local database read).
        public var watch: Duration = .seconds(5)
        /// `[daemon] http` (or its older name `metrics`): `host:port` of the page, `/metrics` and `/status`.
        public var metrics: String?
        /// `[daemon] token_env` / `token_file`: the bearer token the HTTP address asks for; required
        /// for an address other than loopback.
        public var token: ConfiguredSecret?

        /// Whether `host` is a loopback address (127.0.0.0/8 or localhost).
        static func isLoopback(_ host: String) -> Bool { host == "localhost" || host.hasPrefix("127.") }

        /// Splits `host:port`; nil when it is not that.
        static func listenAddress(_ text: String) -> (host: String, port: UInt16)? {
            guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
            return (String(text[..<colon]), port)
        }
    }

    /// The default places: `./scalectl.toml`, then `/etc/scalectl/scalectl.toml`.
    public static let defaultPaths = ["scalectl.toml", "/etc/scalectl/scalectl.toml"]
}
