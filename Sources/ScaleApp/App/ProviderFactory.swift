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
            let directory = URL(fileURLWithPath: configuration.file).deletingLastPathComponent().path
            let token = try SecretSource.read(
                variable: settings.tokenVariable,
                file: settings.tokenFile.map { $0.hasPrefix("/") ? $0 : (directory as NSString).appendingPathComponent($0) },
                key: settings.tokenFile == nil ? "provider.token_env" : "provider.token_file",
                configFile: configuration.file, environment: environment)
            let hetzner = HetznerCloud(fleet: configuration.fleet.fleet, settings: settings, token: token, clock: clock, logger: logger)
            return ProviderBundle(provider: hetzner, balancers: hetzner, rateLimit: hetzner)
        case .aws(let settings):
            let aws = try awsCloud(settings, configuration: configuration, logger: logger, environment: environment)
            return ProviderBundle(provider: aws, balancers: aws, rateLimit: nil)
        }
    }
}

/// Reads the secret a configuration key names: an environment variable, or a file (`token_file`).
public enum SecretSource {
    /// - Throws: ``ConfigError`` naming the key and the variable when it is unset or empty.
    public static func read(
        variable: String?, file: String?, key: String, configFile: String, environment: [String: String]
    ) throws -> Secret {
        if let file {
            guard let data = FileManager.default.contents(atPath: file),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
            else {
                throw ConfigError(file: configFile, key: key, problem: "the secret file \(file) is missing, unreadable or empty")
            }
            return Secret(text)
        }
        guard let variable else { throw ConfigError(file: configFile, key: key, problem: "names no environment variable") }
        guard let value = environment[variable], !value.isEmpty else {
            throw ConfigError(file: configFile, key: key, problem: "the environment variable \(variable) is not set; export it (the value never goes into the file)")
        }
        return Secret(value)
    }
}
