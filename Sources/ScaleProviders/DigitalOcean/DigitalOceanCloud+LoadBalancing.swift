import Foundation
import ScaleCore

/// Load balancers, found by name or id. A balancer with droplet ids is changed with
/// `POST`/`DELETE /v2/load_balancers/{id}/droplets`; a tag-based one (its `tag` is set) holds every
/// droplet carrying that tag, so a role's droplets join and leave it by carrying the tag
/// (`POST`/`DELETE /v2/tags/{tag}/resources`; droplets are created with it).
///
/// The API reports no health per droplet (only monitoring metrics do), so every member reads `unknown`:
/// after attaching, the role's readiness probes are the gate (the planner plans no health wait).
extension DigitalOceanCloud: LoadBalancing {
    public func members(of balancer: String, role: String) async throws -> [String: BalancerHealth] {
        let operation = "read the members of \(balancer)"
        let found = try await loadBalancer(balancer, operation: operation, fresh: true)
        let ids: [Int]
        if let tag = found.tag, !tag.isEmpty {
            ids = try await Self.listDroplets(tag: tag, api: api, operation: operation).map(\.id)
        } else {
            ids = found.dropletIDs ?? []
        }
        return Dictionary(ids.map { (String($0), BalancerHealth.unknown) }, uniquingKeysWith: { first, _ in first })
    }

    public func attach(_ nodes: [Node], role: String, to balancer: String) async throws {
        try await change(nodes, joining: true, balancer: balancer, operation: "attach \(nodes.count) \(role) nodes to \(balancer)")
    }

    public func detach(_ nodes: [Node], role: String, from balancer: String) async throws {
        try await change(nodes, joining: false, balancer: balancer, operation: "detach \(nodes.count) \(role) nodes from \(balancer)")
    }

    /// Adds (or removes) the nodes not yet members (or still members), in one call: tagging (or
    /// untagging) them for a tag-based balancer, else by droplet id. Asking again after a lost answer
    /// changes nothing more, since only the nodes still to change are sent.
    private func change(_ nodes: [Node], joining: Bool, balancer: String, operation: String) async throws {
        let found = try await loadBalancer(balancer, operation: operation, fresh: true)
        let ids = try nodes.map { try ownedDropletID($0, operation: operation) }
        let tag = found.tag.flatMap { $0.isEmpty ? nil : $0 }
        let members: Set<Int>
        if let tag {
            members = Set(try await Self.listDroplets(tag: tag, api: api, operation: operation).map(\.id))
        } else {
            members = Set(found.dropletIDs ?? [])
        }
        let pending = ids.filter { members.contains($0) != joining }
        guard !pending.isEmpty else { return }
        let path = tag.map { "/tags/\($0)/resources" } ?? "/load_balancers/\(found.id)/droplets"
        let body: any Encodable = tag == nil ? DigitalOcean.DropletIDs(dropletIDs: pending) : Self.resources(pending)
        if joining {
            _ = try await api.post(path, body: body, as: DigitalOcean.NoContent.self, operation: operation)
        } else {
            _ = try await api.delete(path, body: body, as: DigitalOcean.NoContent.self, operation: operation)
        }
    }

    /// How a role's droplets join `balancer`, for `plan` and `doctor`: by its tag, or by droplet id.
    public func joinNote(for balancer: String) async throws -> String? {
        let found = try await loadBalancer(balancer, operation: "look up load balancer \(balancer)")
        if let tag = found.tag, !tag.isEmpty { return "tag-based: droplets join by carrying the tag \(tag)" }
        return "droplets are added and removed by id"
    }

    private static func resources(_ ids: [Int]) -> DigitalOcean.TagResources {
        DigitalOcean.TagResources(resources: ids.map { .init(resourceID: String($0)) })
    }

    /// The balancer named (or with the id) `balancer`: `GET /v2/load_balancers/{id}` once its id is
    /// known (a fresh read when `fresh`), otherwise the account's balancers listed and matched by name.
    func loadBalancer(_ balancer: String, operation: String, fresh: Bool = false) async throws -> DigitalOcean.LoadBalancer {
        if !fresh, let known = await balancerIDs.balancer(balancer) { return known }
        let id = await balancerIDs.balancer(balancer)?.id ?? (UUID(uuidString: balancer) != nil ? balancer : nil)
        if let id {
            do {
                let found = try await api.get("/load_balancers/\(id)", as: DigitalOcean.LoadBalancerAnswer.self, operation: operation).loadBalancer
                await balancerIDs.remember(balancer, found)
                return found
            } catch let error as ProviderError where error.status == 404 {
                await balancerIDs.forget(balancer)
            }
        }
        let all = try await api.all("/load_balancers", page: DigitalOcean.LoadBalancerList.self, operation: operation, items: \.loadBalancers)
        guard let found = all.first(where: { $0.name == balancer || $0.id == balancer }) else {
            throw ProviderError(
                provider: name, operation: operation, code: "not_found",
                message: "there is no load balancer named \(balancer) in the account",
                hint: "create it in the DigitalOcean control panel, or fix the role's load_balancer setting (a name or an id)")
        }
        await balancerIDs.remember(balancer, found)
        return found
    }
}

/// Balancer name (or id) → the balancer as last read, learnt once per process.
actor BalancerCache {
    private var known: [String: DigitalOcean.LoadBalancer] = [:]
    func balancer(_ name: String) -> DigitalOcean.LoadBalancer? { known[name] }
    func remember(_ name: String, _ balancer: DigitalOcean.LoadBalancer) { known[name] = balancer }
    func forget(_ name: String) { known[name] = nil }
}
