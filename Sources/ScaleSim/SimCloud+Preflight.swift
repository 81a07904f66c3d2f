import Foundation
import GRDB
import ScaleCore

/// What `doctor` asks the simulated cloud. Every server type can be ordered and every balancer exists,
/// but for the `unavailable_types` and `missing_balancers` faults; it has no server limit of its own.
extension SimCloud: ServerTypeAvailability, QuotaReporting, BalancerLookup {
    public func availability(of serverType: String, in location: String?) async throws -> TypeAvailability {
        try await apiCall("read server type \(serverType)")
        let place = location ?? "sim"
        guard !settings.faults.isSoldOut(serverType, in: location) else {
            return .unavailable(in: place, reason: "server type \(serverType) is not available right now (simulated)")
        }
        return .orderable(in: place)
    }

    /// Every server not gone, of every fleet sharing the database.
    public func serverQuota() async throws -> ServerQuota {
        try await apiCall("count servers")
        let now = physics.now().timeIntervalSince1970
        let used = try await database.read { db in
            try SimServer.filter(Column("goneAt") == nil || Column("goneAt") > now).fetchCount(db)
        }
        return ServerQuota(used: used, limit: settings.faults.serverLimit, scope: "sim")
    }

    /// With the `server_limit` fault, the sim tells its limit as a provider that knows it would.
    public var reportsLimit: Bool { settings.faults.serverLimit != nil }

    public func balancerExists(_ name: String) async throws -> Bool {
        try await apiCall("look up load balancer \(name)")
        return !settings.faults.missingBalancers.contains(name)
    }
}
