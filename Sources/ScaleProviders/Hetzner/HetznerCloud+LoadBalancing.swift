import Foundation
import ScaleCore

/// Load balancers, found by name. A role joins either as one `label_selector` target
/// (`scalectl-fleet=F,scalectl-role=R`, the default: one call per role, and servers come and go with
/// their labels) or as one `server` target per node (`lb_targets = "servers"`).
extension HetznerCloud: LoadBalancing {
    /// The label selector of a role's servers, as its load-balancer target names them.
    func roleSelector(_ role: String) -> String { "\(OwnershipLabel.fleet)=\(fleet),\(OwnershipLabel.role)=\(role)" }

    /// Server id → health of the role's servers the balancer holds: those its label-selector target
    /// resolved, and servers added as targets one by one (whichever `lb_targets` added them). Server
    /// targets are not filtered by role: callers look their own node ids up.
    public func members(of balancer: String, role: String) async throws -> [String: BalancerHealth] {
        let found = try await loadBalancer(named: balancer, operation: "read health of \(balancer)")
        let targets = Targets(found, selector: roleSelector(role))
        var members: [String: BalancerHealth] = [:]
        for (id, target) in targets.servers { members[String(id)] = target.health }
        for (id, target) in targets.resolved { members[String(id)] = target.health }
        return members
    }

    public func attach(_ nodes: [Node], role: String, to balancer: String) async throws {
        let operation = "attach \(nodes.count) \(role) nodes to \(balancer)"
        let id = try await balancerID(balancer, operation: operation)
        var started: [Hetzner.Action] = []
        switch settings.targets {
        case .labelSelector:
            try await addTarget(.selector(roleSelector(role), usePrivateIP: settings.usePrivateIP), to: id, operation: operation, into: &started)
        case .servers:
            for node in nodes {
                let server = try ownedServerID(node, operation: operation)
                try await addTarget(.server(server, usePrivateIP: settings.usePrivateIP), to: id, operation: operation, into: &started)
            }
        }
        try await finish(started, operation: operation)
    }

    /// Removes the nodes' server targets, and the role's label-selector target when every server it
    /// resolved is among `nodes`. A label-selector target cannot let some of its servers go: those
    /// stay until they are deleted (use `lb_targets = "servers"` to drain nodes one by one).
    public func detach(_ nodes: [Node], role: String, from balancer: String) async throws {
        let operation = "detach \(nodes.count) \(role) nodes from \(balancer)"
        let found = try await loadBalancer(named: balancer, operation: operation)
        let targets = Targets(found, selector: roleSelector(role))
        var ids: Set<Int> = []
        for node in nodes { ids.insert(try ownedServerID(node, operation: operation)) }
        var started: [Hetzner.Action] = []
        for server in ids.sorted() where targets.servers[server] != nil {
            if let action = try await removeTarget(.server(server, usePrivateIP: nil), from: found.id, operation: operation) { started.append(action) }
        }
        if targets.selector != nil {
            let resolved = Set(targets.resolved.keys)
            if resolved.isSubset(of: ids) {
                if let action = try await removeTarget(.selector(roleSelector(role), usePrivateIP: nil), from: found.id, operation: operation) {
                    started.append(action)
                }
            } else if !resolved.isDisjoint(with: ids) {
                logger.info(
                    "Label-selector target kept; the detached nodes leave it when deleted",
                    metadata: ["balancer.name": "\(balancer)", "role.name": "\(role)", "detach.count": "\(ids.intersection(resolved).count)"])
            }
        }
        try await finish(started, operation: operation)
    }

    // MARK: Workings

    private func addTarget(_ target: Hetzner.TargetRequest, to balancer: Int, operation: String, into started: inout [Hetzner.Action]) async throws {
        do {
            let answer = try await api.post(
                "/load_balancers/\(balancer)/actions/add_target", body: target, as: Hetzner.ActionAnswer.self, operation: operation)
            started.append(answer.action)
        } catch let error as ProviderError where error.code == "target_already_defined" {
            return
        } catch let error as ProviderError where error.outcomeUnknown {
            // The answer was lost: asking again is safe, Hetzner refuses a target defined twice.
            try await addTarget(target, to: balancer, operation: operation, into: &started)
        }
    }

    /// Removes a target; the action, or nil when a lost answer turned out to have removed it already.
    private func removeTarget(_ target: Hetzner.TargetRequest, from balancer: Int, operation: String) async throws -> Hetzner.Action? {
        do {
            return try await api.post(
                "/load_balancers/\(balancer)/actions/remove_target", body: target, as: Hetzner.ActionAnswer.self, operation: operation
            ).action
        } catch let error as ProviderError where error.outcomeUnknown {
            // The answer was lost: look whether the target is still there before asking again.
            let found = try await api.get("/load_balancers/\(balancer)", as: Hetzner.LoadBalancerAnswer.self, operation: operation).loadBalancer
            let present = found.targets.contains { existing in
                existing.type == target.type && existing.server?.id == target.server?.id
                    && existing.labelSelector?.selector == target.labelSelector?.selector
            }
            guard present else { return nil }
            return try await api.post(
                "/load_balancers/\(balancer)/actions/remove_target", body: target, as: Hetzner.ActionAnswer.self, operation: operation
            ).action
        }
    }

    /// The balancer's id: remembered after the first look-up by name.
    private func balancerID(_ name: String, operation: String) async throws -> Int {
        if let id = await balancerIDs.id(of: name) { return id }
        return try await loadBalancer(named: name, operation: operation).id
    }

    /// The balancer with its targets: `GET /load_balancers/{id}` once its id is known, found by name first.
    func loadBalancer(named name: String, operation: String) async throws -> Hetzner.LoadBalancer {
        if let id = await balancerIDs.id(of: name) {
            do {
                return try await api.get("/load_balancers/\(id)", as: Hetzner.LoadBalancerAnswer.self, operation: operation).loadBalancer
            } catch let error as ProviderError where error.status == 404 {
                await balancerIDs.forget(name)
            }
        }
        let list = try await api.get("/load_balancers", query: [("name", name)], as: Hetzner.LoadBalancerList.self, operation: operation)
        guard let found = list.loadBalancers.first(where: { $0.name == name }) else {
            throw ProviderError(
                provider: self.name, operation: operation, code: "not_found",
                message: "there is no load balancer named \(name) in the project",
                hint: "create it in the Hetzner console, or fix the role's load_balancer setting")
        }
        await balancerIDs.remember(name, id: found.id)
        return found
    }
}

/// A balancer's targets that concern one role.
private struct Targets {
    /// Server targets by server id.
    var servers: [Int: Hetzner.Target] = [:]
    /// The role's label-selector target, if there is one.
    var selector: Hetzner.Target?
    /// The servers that target resolved, by server id.
    var resolved: [Int: Hetzner.Target] = [:]

    init(_ balancer: Hetzner.LoadBalancer, selector wanted: String) {
        for target in balancer.targets {
            if target.type == "server", let id = target.server?.id { servers[id] = target }
            if target.type == "label_selector", target.labelSelector?.selector == wanted {
                selector = target
                for inner in target.targets ?? [] { if let id = inner.server?.id { resolved[id] = inner } }
            }
        }
    }
}

/// Balancer name → id, learnt once per process.
actor BalancerDirectory {
    private var ids: [String: Int] = [:]
    func id(of name: String) -> Int? { ids[name] }
    func remember(_ name: String, id: Int) { ids[name] = id }
    func forget(_ name: String) { ids[name] = nil }
}
