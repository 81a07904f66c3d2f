import Foundation
import Logging
import ScaleCore
import ScaleProviders

extension ProviderFactory {
    /// The AWS provider with the standard credential variables (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`) and the region from the configuration,
    /// else `AWS_REGION`, else `AWS_DEFAULT_REGION`.
    static func awsCloud(
        _ settings: AWSSettings, configuration: Configuration, logger: Logger, environment: [String: String]
    ) throws -> AWSCloud {
        let file = configuration.file
        func secret(_ variable: String) throws -> Secret {
            try ConfiguredSecret.variable(variable, key: "provider").read(configFile: file, environment: environment)
        }
        let credentials = AWSCredentials(
            accessKeyID: try secret("AWS_ACCESS_KEY_ID"), secretAccessKey: try secret("AWS_SECRET_ACCESS_KEY"),
            sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : Secret($0) })
        let region = settings.region ?? [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty }
        guard let region else {
            throw ConfigError(
                file: file, key: "provider.region",
                problem: "no AWS region: write region = \"eu-west-1\" in the provider profile, or export AWS_REGION")
        }
        return AWSCloud(fleet: configuration.fleet.fleet, settings: settings, region: region, credentials: credentials, logger: logger)
    }
}
