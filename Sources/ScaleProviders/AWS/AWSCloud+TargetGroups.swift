import Foundation
import ScaleCore

/// The load balancer a role names is an ELBv2 target group of type `instance`, by name or ARN.
extension AWSCloud {
    /// Target health → ours: `initial` (checks not passed yet) and `unavailable` (checks off) are
    /// unknown; `unhealthy`, `unused` (no load balancer uses the group, or the zone is not enabled) and
    /// `draining` (being deregistered) serve no traffic, so they are unhealthy.
    static func health(_ state: String) -> BalancerHealth {
        switch state {
        case "healthy": .healthy
        case "initial", "unavailable": .unknown
        default: .unhealthy
        }
    }

    /// Instance id → health of this fleet's `role` instances registered in the target group: one
    /// `DescribeTargetHealth`, and one `DescribeInstances` to keep only the role's own.
    public func members(of balancer: String, role: String) async throws -> [String: BalancerHealth] {
        let operation = "read health of \(balancer)"
        let arn = try await targetGroupARN(balancer, operation: operation)
        let answer = try await client.call(.elbv2, "DescribeTargetHealth", [("TargetGroupArn", arn)], operation: operation)
        var health: [String: BalancerHealth] = [:]
        for target in answer["DescribeTargetHealthResult"]?.list("TargetHealthDescriptions") ?? [] {
            guard let id = target.value("Target", "Id") else { continue }
            health[id] = Self.health(target.value("TargetHealth", "State") ?? "unknown")
        }
        guard !health.isEmpty else { return [:] }
        let ours = try await describeInstances(
            filters: [
                (name: "tag:\(OwnershipLabel.fleet)", values: [fleet]), (name: "tag:\(OwnershipLabel.role)", values: [role]),
                (name: "instance-id", values: health.keys.sorted()),
            ],
            operation: operation)
        let ids = Set(ours.map(\.id))
        return health.filter { ids.contains($0.key) }
    }

    /// One `RegisterTargets` for all the nodes.
    public func attach(_ nodes: [Node], role: String, to balancer: String) async throws {
        try await change("RegisterTargets", nodes, balancer: balancer, operation: "attach \(nodes.count) \(role) nodes to \(balancer)")
    }

    /// One `DeregisterTargets` for all the nodes; the target group drains them for its deregistration delay.
    public func detach(_ nodes: [Node], role: String, from balancer: String) async throws {
        try await change("DeregisterTargets", nodes, balancer: balancer, operation: "detach \(nodes.count) \(role) nodes from \(balancer)")
    }

    private func change(_ action: String, _ nodes: [Node], balancer: String, operation: String) async throws {
        guard !nodes.isEmpty else { return }
        let arn = try await targetGroupARN(balancer, operation: operation)
        let targets = nodes.enumerated().map { ("Targets.member.\($0.offset + 1).Id", $0.element.id) }
        _ = try await client.call(.elbv2, action, [("TargetGroupArn", arn)] + targets, operation: operation)
    }

    /// An ARN as given, or the ARN of the target group with this name (looked up once per process).
    func targetGroupARN(_ balancer: String, operation: String) async throws -> String {
        if balancer.hasPrefix("arn:") { return balancer }
        if let known = await targetGroups.arn(balancer) { return known }
        let answer = try await client.call(.elbv2, "DescribeTargetGroups", [("Names.member.1", balancer)], operation: operation)
        guard let arn = answer["DescribeTargetGroupsResult"]?.list("TargetGroups").first?.value("TargetGroupArn") else {
            throw ProviderError(
                provider: name, operation: operation, code: "TargetGroupNotFound", message: "no target group is named \(balancer)",
                hint: AWSErrors.hint(code: "TargetGroupNotFound", service: .elbv2, action: "DescribeTargetGroups"))
        }
        await targetGroups.remember(balancer, arn: arn)
        return arn
    }
}

/// Target group name → ARN, as looked up during this process.
actor TargetGroupCache {
    private var arns: [String: String] = [:]

    func arn(_ name: String) -> String? { arns[name] }
    func remember(_ name: String, arn: String) { arns[name] = arn }
}
