import Foundation
import Logging
import ScaleCore
import ScaleProviders
import ScaleSim

/// Builds the configured provider. Credentials are read here, at the edge, and passed inward as ``Secret``s.
enum ProviderFactory {
    static func make(
        _ configuration: Configuration, clock: any ScaleClock, logger: Logger, environment: [String: String]
    ) throws -> ProviderBundle {
        switch configuration.provider {
        case .sim(let settings):
            let sim = try SimCloud(
                fleet: configuration.fleet.fleet, settings: settings,
                statePath: settings.statePath ?? SimCloud.defaultStatePath(beside: configuration.localDatabase), calendar: clock, logger: logger)
            return .of(sim, rateLimit: settings.rateLimit == nil ? nil : sim, snapshots: sim)
        case .hetzner(let settings):
            let token = try apiToken(file: settings.tokenFile, variable: settings.tokenVariable, configuration, environment)
            let hetzner = HetznerCloud(fleet: configuration.fleet.fleet, settings: settings, token: token, clock: clock, logger: logger)
            return .of(hetzner, shutdown: hetzner, rateLimit: hetzner, snapshots: hetzner)
        case .digitalOcean(let settings):
            let token = try apiToken(file: settings.tokenFile, variable: settings.tokenVariable, configuration, environment)
            let cloud = DigitalOceanCloud(fleet: configuration.fleet.fleet, settings: settings, token: token, clock: clock, logger: logger)
            return .of(cloud, shutdown: cloud, rateLimit: cloud)
        case .aws(let settings):
            let aws = try awsCloud(settings, configuration: configuration, logger: logger, environment: environment)
            return .of(aws, snapshots: aws)
        }
    }

    /// An API token from `token_file` when given, else from the variable `token_env` names.
    private static func apiToken(file: String?, variable: String, _ configuration: Configuration, _ environment: [String: String]) throws -> Secret {
        let source: ConfiguredSecret = file.map { .file($0, key: "provider.token_file") } ?? .variable(variable, key: "provider.token_env")
        return try source.read(configFile: configuration.file, environment: environment)
    }
}
