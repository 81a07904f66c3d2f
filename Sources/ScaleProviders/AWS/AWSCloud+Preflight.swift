import Foundation
import ScaleCore

/// What `doctor` asks AWS: whether the region offers an instance type (`DescribeInstanceTypeOfferings`),
/// how many instances live in the region (`DescribeInstances`; the limits are vCPU-based Service
/// Quotas the EC2 API does not tell), and whether a target group exists (`DescribeTargetGroups`).
extension AWSCloud: ServerTypeAvailability, QuotaReporting, BalancerLookup {
    /// Region-level: the offerings of a subnet's zone are not read (`location` is a subnet id).
    public func availability(of serverType: String, in location: String?) async throws -> TypeAvailability {
        let region = client.region
        let answer = try await client.call(
            .ec2, "DescribeInstanceTypeOfferings",
            [("LocationType", "region")] + .filters([(name: "instance-type", values: [serverType]), (name: "location", values: [region])]),
            operation: "read instance type offerings of \(serverType)")
        let offered = answer.list("instanceTypeOfferingSet").contains { $0.value("instanceType") == serverType }
        return offered
            ? .orderable(in: region, note: (location ?? settings.subnetID).map { "offered in the region; the zone of \($0) is not checked" })
            : .unavailable(in: region, reason: "\(region) does not offer the instance type \(serverType)")
    }

    /// The region's instances in every state but terminated, whoever launched them.
    public func serverQuota() async throws -> ServerQuota {
        let all = try await describeInstances(
            filters: [(name: "instance-state-name", values: EC2Mapping.liveStates)], operation: "count the region's instances")
        return ServerQuota(used: all.count, limit: nil, scope: "region \(client.region)")
    }

    public func balancerExists(_ name: String) async throws -> Bool {
        let operation = "look up target group \(name)"
        let parameter = name.hasPrefix("arn:") ? "TargetGroupArns.member.1" : "Names.member.1"
        do {
            let answer = try await client.call(.elbv2, "DescribeTargetGroups", [(parameter, name)], operation: operation)
            return !(answer["DescribeTargetGroupsResult"]?.list("TargetGroups").isEmpty ?? true)
        } catch let error as ProviderError where error.code == "TargetGroupNotFound" {
            return false
        }
    }
}
