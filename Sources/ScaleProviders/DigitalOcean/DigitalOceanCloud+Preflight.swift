import Foundation
import ScaleCore

/// What `doctor` asks DigitalOcean: whether the region exists and takes new droplets (`GET /v2/regions`),
/// whether a size can be ordered there (`GET /v2/sizes`: `available` and `regions`), the account's
/// droplet limit against its droplets (`GET /v2/account` `droplet_limit`, `GET /v2/droplets` `meta.total`),
/// and whether a load balancer exists and is in the region.
extension DigitalOceanCloud: ServerTypeAvailability, QuotaReporting, BalancerLookup {
    public func availability(of serverType: String, in location: String?) async throws -> TypeAvailability {
        let region = location ?? settings.region
        let regions = try await api.all("/regions", page: DigitalOcean.RegionList.self, operation: "read the regions", items: \.regions)
        guard let here = regions.first(where: { $0.slug == region }) else {
            return .unavailable(in: region, reason: "\(region) is not a DigitalOcean region (known: \(regions.map(\.slug).sorted().joined(separator: ", ")))")
        }
        guard here.available else { return .unavailable(in: region, reason: "DigitalOcean lists the region \(region) as not available for new droplets") }
        let sizes = try await api.all("/sizes", page: DigitalOcean.SizeList.self, operation: "read size \(serverType)", items: \.sizes)
        guard let size = sizes.first(where: { $0.slug == serverType }) else {
            return .unavailable(in: region, reason: "DigitalOcean has no droplet size \(serverType)")
        }
        guard size.available else { return .unavailable(in: region, reason: "DigitalOcean lists \(serverType) as not available for new droplets") }
        guard size.regions.contains(region) else {
            let elsewhere = size.regions.sorted()
            return .unavailable(
                in: region,
                reason: "\(serverType) cannot be ordered in \(region)" + (elsewhere.isEmpty ? "" : " (it can in \(elsewhere.joined(separator: ", ")))"))
        }
        return .orderable(in: region)
    }

    /// Every droplet of the account, whoever made it, against `droplet_limit`.
    public func serverQuota() async throws -> ServerQuota {
        let account = try await api.get("/account", as: DigitalOcean.AccountAnswer.self, operation: "read the account").account
        let first = try await api.get(
            "/droplets", query: [("page", "1"), ("per_page", "1")], as: DigitalOcean.DropletList.self, operation: "count the account's droplets")
        let used = first.meta?.total ?? first.droplets.count
        return ServerQuota(used: used, limit: account.dropletLimit, scope: "account")
    }

    public var reportsLimit: Bool { true }

    public func balancerExists(_ name: String) async throws -> Bool {
        do {
            _ = try await loadBalancer(name, operation: "look up load balancer \(name)", fresh: true)
            return true
        } catch let error as ProviderError where error.code == "not_found" {
            return false
        }
    }

    /// A balancer serves droplets of its own region only.
    public func placementProblem(with balancer: String) async throws -> String? {
        let found = try await loadBalancer(balancer, operation: "look up load balancer \(balancer)")
        guard let region = found.region?.slug, region != settings.region else { return nil }
        return "\(balancer) is in the region \(region), while droplets are created in \(settings.region): they could not join it"
    }
}
