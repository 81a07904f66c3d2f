import Foundation

extension Executor {
    func requireBalancers(role: String, step: String) throws -> any LoadBalancing {
        guard let balancers else {
            throw StepFailure(role: role, step: step, summary: "the \(provider.name) provider cannot manage load balancers", action: "stopped this role")
        }
        return balancers
    }

    func attach(_ names: [String], to balancer: String, role: String, scope: RunScope, fresh: Bool = false) async throws {
        guard !names.isEmpty else { return }  // nothing was obtained to attach (no room in the cloud)
        let lb = try requireBalancers(role: role, step: "attach")
        let wanted = Set(names)
        let nodes = try await (fresh ? scope.watcher.fresh() : scope.watcher.current()).filter { wanted.contains($0.name) }
        progress.report(.began(role: role, step: "attach", text: "attaching \(nodes.count) to \(balancer)"))
        try await calls.call("attach", "attach \(nodes.count) \(role) nodes to \(balancer)") {
            try await lb.attach(nodes, role: role, to: balancer)
        }
    }

    func detach(_ nodes: [Node], from balancer: String, role: String) async throws {
        let lb = try requireBalancers(role: role, step: "detach")
        progress.report(.began(role: role, step: "detach", text: "detaching \(nodes.count) from \(balancer)"))
        try await calls.call("detach", "detach \(nodes.count) \(role) nodes from \(balancer)") {
            try await lb.detach(nodes, role: role, from: balancer)
        }
    }

    func awaitHealthy(_ names: [String], on balancer: String, role: String, scope: RunScope) async throws -> Int {
        let lb = try requireBalancers(role: role, step: "await-healthy")
        let deadline = clock.now() + settings.healthTimeout
        let wanted = Set(names)
        let nodes = try await scope.watcher.current().filter { wanted.contains($0.name) }
        var reported = -1
        var pace = settings.pollInterval
        // The plan's observation answers first; nodes attached since are not in it, so it only ends the
        // wait when everything was healthy already.
        var known = scope.observed?.balancers[balancer]
        while true {
            let members: [String: BalancerHealth]
            if let seen = known {
                members = seen
                known = nil
            } else {
                members = try await calls.call("health", "read health of \(balancer)") { try await lb.members(of: balancer, role: role) }
            }
            let healthy = nodes.filter { members[$0.id] == .healthy }
            if healthy.count != reported {
                reported = healthy.count
                progress.report(.counted(role: role, what: "healthy on \(balancer)", done: healthy.count, total: names.count))
            }
            if healthy.count == names.count { return healthy.count }
            if clock.now() >= deadline {
                let sick = nodes.filter { members[$0.id] != .healthy }
                throw StepFailure(
                    role: role, step: "await-healthy",
                    summary: "\(names.count - healthy.count) of \(names.count) \(role) nodes unhealthy on the load balancer \(balancer)",
                    nodes: sick,
                    details: sick.map { "\($0.summary): \(members[$0.id]?.rawValue ?? "not a target of \(balancer)")" },
                    action: "kept every node attached; check the service on them, then run `scalectl up` again",
                    replaceable: sick.map(\.name), passing: healthy.count
                )
            }
            try await clock.sleep(for: pace)
            pace = PollPace.next(after: pace, base: settings.pollInterval)
        }
    }
}
