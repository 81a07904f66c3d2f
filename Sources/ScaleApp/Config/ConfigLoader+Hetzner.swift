import Foundation
import ScaleCore
import ScaleProviders

extension ConfigLoader {
    /// The `kind = "hetzner"` keys of `[provider]` (or its profile). The token itself is read later, by
    /// the provider factory, from the variable or file named here.
    static func hetznerSettings(_ table: TOMLReader, resolve: (String) -> String) throws -> HetznerSettings {
        var settings = HetznerSettings()
        settings.endpoint = try apiEndpoint(table, default: HetznerSettings.defaultEndpoint) ?? settings.endpoint
        (settings.tokenVariable, settings.tokenFile) = try tokenSource(table, default: settings.tokenVariable, resolve: resolve)
        if let location = try table.string("location") {
            guard !location.isEmpty else { throw table.error("location", "must name a location such as fsn1, nbg1 or hel1") }
            settings.location = location
        }
        settings.locations = try placements(table, plural: "locations", singular: "location", example: "locations = [\"fsn1\", \"nbg1\", \"hel1\"]")
        try oneNetworkZone(settings.locations + (settings.location.map { [$0] } ?? []), table: table)
        settings.network = try table.int("network", in: 1...Int.max)
        settings.firewalls = try table.ints("firewalls", in: 1...Int.max) ?? []
        settings.usePrivateIP = try table.bool("use_private_ip") ?? false
        if settings.usePrivateIP && settings.network == nil {
            throw table.error("use_private_ip", "needs network = ID: the load balancer reaches servers privately only through a network they join")
        }
        if let kind = try table.string("lb_targets") {
            guard let targets = HetznerSettings.TargetKind(rawValue: kind) else {
                throw table.error("lb_targets", "\"\(kind)\" is not one of \"label_selector\" (one target per role) or \"servers\" (one target per node)")
            }
            settings.targets = targets
        }
        settings.perPage = try table.int("per_page", in: 1...50) ?? settings.perPage
        settings.actionPollInterval = try positive(table, "action_poll_interval") ?? settings.actionPollInterval
        settings.actionTimeout = try positive(table, "action_timeout") ?? settings.actionTimeout
        settings.shutdownTimeout = try table.duration("shutdown_timeout") ?? settings.shutdownTimeout
        settings.requestTimeout = try positive(table, "request_timeout") ?? settings.requestTimeout
        (settings.prices, settings.monthlyPrices) = try hourlyPrices(table, currency: "EUR")
        return settings
    }

    /// Every location must be known and in one network zone, or the nodes of one could not join the load
    /// balancer or the network of the others.
    private static func oneNetworkZone(_ locations: [String], table: TOMLReader) throws {
        let key = table.has("locations") ? "locations" : "location"
        if let unknown = locations.first(where: { HetznerSettings.networkZones[$0] == nil }) {
            throw table.error(key, "\"\(unknown)\" is not a Hetzner location; known: \(HetznerSettings.networkZones.keys.sorted().joined(separator: ", "))")
        }
        let zones = Dictionary(grouping: locations) { HetznerSettings.networkZones[$0] ?? "" }
        guard zones.count > 1 else { return }
        let text = zones.sorted { $0.key < $1.key }.map { "\($0.value.joined(separator: ", ")) in \($0.key)" }.joined(separator: "; ")
        throw table.error(
            key, "the locations are in different network zones (\(text)): a load balancer and a private network live in one zone,"
                + " and servers of another could not join them; list locations of one zone")
    }
}
