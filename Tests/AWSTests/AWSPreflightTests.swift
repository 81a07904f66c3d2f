import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// What `doctor` asks AWS, against moto: instance type offerings, target groups and the instance count.
@Suite(.serialized)
struct AWSPreflightTests {
    @Test func offeringsTargetGroupsAndTheInstanceCount() async throws {
        try await Moto.with { moto in
            let seed = try await moto.seed()
            let cloud = moto.cloud()
            #expect(try await cloud.availability(of: "t3.large") == .orderable(in: "us-east-1"))
            let missing = try await cloud.availability(of: "zz9.mega")
            #expect(missing == .unavailable(in: "us-east-1", reason: "us-east-1 does not offer the instance type zz9.mega"))
            #expect(try await cloud.balancerExists("t-lb"))
            #expect(try await cloud.balancerExists(seed.target_group_arn))
            #expect(try await cloud.balancerExists("no-such-group") == false)
            let quota = try await cloud.serverQuota()
            #expect(quota == ServerQuota(used: 1, limit: nil, scope: "region us-east-1"), "the stranger counts too")
        }
    }
}
