import Foundation

extension Executor {
    /// Deletes the nodes a gate left behind and creates them again under the same names (detaching and
    /// attaching them when the role has a load balancer). The caller then checks the gates again.
    func replace(_ failure: StepFailure, state: inout PipelineState, scope: RunScope) async throws {
        let role = state.plan.role
        let names = failure.replaceable
        progress.report(.began(role: role, step: "replace", text: "replacing \(Step.list(names)): \(failure.summary)"))
        try await journaled(role, "replace", "replace \(Step.list(names)) after \(failure.step): \(failure.summary)") {
            let wanted = Set(names)
            let old = try await scope.watcher.fresh().filter { wanted.contains($0.name) }
            let balancer = fleet.role(role)?.loadBalancer
            if let balancer, let lb = balancers {
                let members = try await calls.call("health", "read health of \(balancer)") { try await lb.members(of: balancer, role: role) }
                let attached = old.filter { members[$0.id] != nil }
                if !attached.isEmpty { try await detach(attached, from: balancer, role: role) }
            }
            try await delete(old.filter { $0.state != .deleting }, reason: .replace, role: role, scope: scope)
            try await awaitGone(names, ids: Dictionary(grouping: old, by: \.name).mapValues { Set($0.map(\.id)) }, role: role, scope: scope)
            if state.snapshot == nil { state.snapshot = try await resolveSnapshot(role: role) }
            guard let snapshot = state.snapshot else { return }
            try await create(names, plan: state.plan, snapshot: snapshot, scope: scope)
            if let balancer { try await attach(names, to: balancer, role: role, scope: scope, fresh: true) }
        }
        state.replaced += names
    }
}
