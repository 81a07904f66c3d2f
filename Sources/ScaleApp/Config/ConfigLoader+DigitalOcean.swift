import Foundation
import ScaleCore
import ScaleProviders

extension ConfigLoader {
    /// The `kind = "digitalocean"` keys of `[provider]` (or its profile). The token itself is read later,
    /// by the provider factory, from the variable or file named here.
    static func digitalOceanSettings(_ table: TOMLReader, resolve: (String) -> String) throws -> DigitalOceanSettings {
        var settings = DigitalOceanSettings()
        settings.endpoint = try apiEndpoint(table, default: DigitalOceanSettings.defaultEndpoint) ?? settings.endpoint
        (settings.tokenVariable, settings.tokenFile) = try tokenSource(table, default: settings.tokenVariable, resolve: resolve)
        let region = try table.requiredString("region")
        guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) else {
            throw table.error("region", "\"\(region)\" is not a DigitalOcean region slug such as fra1, ams3 or nyc3")
        }
        settings.region = region
        if let vpc = try table.string("vpc_uuid") {
            guard UUID(uuidString: vpc) != nil else { throw table.error("vpc_uuid", "\"\(vpc)\" is not a VPC UUID such as 5a4981aa-9653-4bd1-bef5-d6bff52042e4") }
            settings.vpcUUID = vpc
        }
        settings.sshKeys = try table.strings("ssh_keys") ?? []
        settings.tags = try table.strings("tags") ?? []
        if let bad = settings.tags.first(where: { !DigitalOceanSettings.isTag($0) }) {
            throw table.error("tags", "\"\(bad)\" is not a DigitalOcean tag: use letters, numbers, colons, dashes and underscores, at most 255")
        }
        settings.monitoring = try table.bool("monitoring") ?? false
        settings.perPage = try table.int("per_page", in: 1...200) ?? settings.perPage
        settings.requestsPerMinute = try table.int("requests_per_minute", in: 12...250) ?? settings.requestsPerMinute
        settings.actionPollInterval = try positive(table, "action_poll_interval") ?? settings.actionPollInterval
        settings.actionTimeout = try positive(table, "action_timeout") ?? settings.actionTimeout
        settings.shutdownTimeout = try table.duration("shutdown_timeout") ?? settings.shutdownTimeout
        settings.requestTimeout = try positive(table, "request_timeout") ?? settings.requestTimeout
        settings.batchWindow = try table.duration("batch_window") ?? settings.batchWindow
        (settings.prices, settings.monthlyPrices) = try hourlyPrices(table, currency: "USD")
        return settings
    }
}
