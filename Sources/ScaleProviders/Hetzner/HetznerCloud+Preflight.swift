import Foundation
import ScaleCore

/// What `doctor` asks Hetzner: whether a server type can be ordered in the location (`GET /server_types`,
/// whose `locations` list each location offering the type with its availability and deprecation), how
/// many servers the project holds (`GET /servers`; the API does not tell the project's limit), and
/// whether a load balancer exists (`GET /load_balancers?name=`).
extension HetznerCloud: ServerTypeAvailability, QuotaReporting, BalancerLookup {
    public func availability(of serverType: String, in location: String?) async throws -> TypeAvailability {
        let location = location ?? settings.location
        let answer = try await api.get(
            "/server_types", query: [("name", serverType)], as: Hetzner.ServerTypeList.self, operation: "read server type \(serverType)")
        let place = location ?? "any location"
        guard let type = answer.serverTypes.first(where: { $0.name == serverType }) else {
            return .unavailable(in: place, reason: "Hetzner has no server type named \(serverType)")
        }
        let now = api.clock.now()
        if let gone = type.deprecation?.unavailableAfter, gone <= now {
            return .unavailable(in: place, reason: "\(serverType) is deprecated and could not be ordered after \(TimeText.iso(gone))")
        }
        guard let locations = type.locations else {
            return .orderable(in: place, note: "the API lists no locations for \(serverType); only a create will tell")
        }
        let offered = locations.filter { location in location.deprecation?.unavailableAfter.map { $0 > now } ?? true }
        guard let wanted = location else {
            let open = offered.filter { $0.available ?? true }.map(\.name)
            return open.isEmpty
                ? .unavailable(in: place, reason: "\(serverType) cannot be ordered in any location right now")
                : .orderable(in: place, note: "Hetzner picks the location among \(open.joined(separator: ", "))")
        }
        let elsewhere = offered.filter { $0.name != wanted && $0.available ?? true }.map(\.name)
        let alternatives = elsewhere.isEmpty ? "" : " (it can be ordered in \(elsewhere.joined(separator: ", ")))"
        guard let here = locations.first(where: { $0.name == wanted }) else {
            return .unavailable(in: wanted, reason: "\(serverType) is not offered in \(wanted)\(alternatives)")
        }
        if let gone = here.deprecation?.unavailableAfter, gone <= now {
            return .unavailable(in: wanted, reason: "\(serverType) is deprecated in \(wanted) since \(TimeText.iso(gone))\(alternatives)")
        }
        if here.available == false {
            return .unavailable(in: wanted, reason: "Hetzner lists \(serverType) as not available in \(wanted) right now\(alternatives)")
        }
        if let ending = here.deprecation?.unavailableAfter ?? type.deprecation?.unavailableAfter {
            return .deprecated(in: wanted, until: ending)
        }
        return .orderable(in: wanted)
    }

    /// Every server of the project, whoever made it; the limit is not in the API (Hetzner shows it in
    /// the console), so it is nil.
    public func serverQuota() async throws -> ServerQuota {
        let first = try await api.get(
            "/servers", query: [("page", "1"), ("per_page", "1")], as: Hetzner.ServerCount.self, operation: "count the project's servers")
        if let total = first.meta?.pagination?.totalEntries { return ServerQuota(used: total, limit: nil, scope: "project") }
        let all = try await api.all(
            "/servers", page: Hetzner.ServerList.self, operation: "count the project's servers", items: \.servers)
        return ServerQuota(used: all.count, limit: nil, scope: "project")
    }

    /// A load balancer lives in one network zone (its `location.network_zone`); servers of another
    /// zone cannot be its targets over a network, nor join its network.
    public func placementProblem(with balancer: String) async throws -> String? {
        let found = try await loadBalancer(named: balancer, operation: "look up load balancer \(balancer)")
        guard let zone = found.location?.networkZone else { return nil }
        let places = settings.locations + (settings.location.map { [$0] } ?? [])
        let outside = places.filter { HetznerSettings.networkZones[$0] != zone }
        guard !outside.isEmpty else { return nil }
        return "\(balancer) is in network zone \(zone) (\(found.location?.name ?? "?")), while "
            + outside.map { "\($0) is in \(HetznerSettings.networkZones[$0] ?? "an unknown zone")" }.joined(separator: ", ")
            + ": servers created there could not join it"
    }

    public func balancerExists(_ name: String) async throws -> Bool {
        do {
            _ = try await loadBalancer(named: name, operation: "look up load balancer \(name)")
            return true
        } catch let error as ProviderError where error.code == "not_found" {
            return false
        }
    }
}

extension Hetzner {
    /// `{announced, unavailable_after}` of a deprecated server type, overall or in one location.
    struct Deprecation: Decodable {
        var unavailableAfter: Date?
        enum CodingKeys: String, CodingKey { case unavailableAfter = "unavailable_after" }
    }

    /// One location a server type is offered in.
    struct ServerTypeLocation: Decodable {
        var name: String
        /// Whether it can be ordered there right now; older answers leave it out.
        var available: Bool?
        var deprecation: Deprecation?
    }

    struct ServerTypeInfo: Decodable {
        var name: String
        var deprecation: Deprecation?
        var locations: [ServerTypeLocation]?
    }

    struct ServerTypeList: Decodable {
        var serverTypes: [ServerTypeInfo]
        enum CodingKeys: String, CodingKey { case serverTypes = "server_types" }
    }

    /// Only the count of a list answer.
    struct ServerCount: Decodable {
        struct Pagination: Decodable {
            var totalEntries: Int?
            enum CodingKeys: String, CodingKey { case totalEntries = "total_entries" }
        }
        struct Meta: Decodable {
            var pagination: Pagination?
        }
        var meta: Meta?
    }
}
