import Foundation
import ScaleCore
import ScaleProviders

/// Which cloud, with its typed settings.
public enum ProviderSettings: Sendable, Hashable {
    case sim(SimSettings)

    public var kind: String {
        switch self {
        case .sim: "sim"
        }
    }

    /// Template placeholders this provider's nodes offer beyond the standard ones.
    var extraTemplateKeys: Set<String> {
        switch self {
        case .sim: ["port"]
        }
    }
}

/// The whole configuration file, parsed and checked.
public struct Configuration: Sendable {
    /// The configuration file it was read from.
    public var file: String
    /// The SQLite database, as an absolute path.
    public var database: String
    public var fleet: FleetSettings
    public var execution: ExecutionSettings
    public var retry: ProviderCalls.Policy
    public var provider: ProviderSettings
    /// `[alerts]`: email and webhook channels, dedupe, success summaries.
    public var alerts = AlertsConfiguration()

    /// The default places: `./scalectl.toml`, then `/etc/scalectl/scalectl.toml`.
    public static let defaultPaths = ["scalectl.toml", "/etc/scalectl/scalectl.toml"]
}
