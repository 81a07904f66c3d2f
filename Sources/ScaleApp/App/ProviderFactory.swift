import Foundation
import Logging
import ScaleCore
import ScaleProviders
import ScaleStore

/// A provider and its optional abilities, built from configuration.
public struct ProviderBundle: Sendable {
    public var provider: any CloudProvider
    public var balancers: (any LoadBalancing)?
    /// Where the provider's request budget is read, if it reports one.
    public var rateLimit: (any RateLimitReporting)?
}

/// Builds the configured provider. Credentials are read here, at the edge, and passed inward as ``Secret``s.
enum ProviderFactory {
    static func make(
        _ configuration: Configuration, store: Store, clock: any ScaleClock, logger: Logger,
        environment: [String: String]
    ) throws -> ProviderBundle {
        switch configuration.provider {
        case .sim(let settings):
            let sim = try SimCloud(
                fleet: configuration.fleet.fleet, settings: settings, database: store.database, calendar: clock,
                nodeLogDirectory: URL(fileURLWithPath: configuration.database).deletingLastPathComponent()
                    .appendingPathComponent("sim-nodes").path,
                logger: logger)
            return ProviderBundle(provider: sim, balancers: sim, rateLimit: settings.rateLimit == nil ? nil : sim)
        case .hetzner(let settings):
            let source: ConfiguredSecret = settings.tokenFile.map { .file($0, key: "provider.token_file") }
                ?? .variable(settings.tokenVariable, key: "provider.token_env")
            let token = try source.read(configFile: configuration.file, environment: environment)
            let hetzner = HetznerCloud(fleet: configuration.fleet.fleet, settings: settings, token: token, clock: clock, logger: logger)
            return ProviderBundle(provider: hetzner, balancers: hetzner, rateLimit: hetzner)
        case .aws(let settings):
            let aws = try awsCloud(settings, configuration: configuration, logger: logger, environment: environment)
            return ProviderBundle(provider: aws, balancers: aws, rateLimit: nil)
        }
    }
}
