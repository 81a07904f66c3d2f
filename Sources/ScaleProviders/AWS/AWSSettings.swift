import Foundation
import ScaleCore

/// Where and how the AWS provider creates instances.
public struct AWSSettings: Sendable, Hashable {
    /// `eu-west-1`. Nil means "take `AWS_REGION`", resolved where the provider is built.
    public var region: String?
    /// One endpoint for both EC2 and ELBv2 (moto, a VPC endpoint, a proxy); nil means AWS's own
    /// `https://ec2.REGION.amazonaws.com` and `https://elasticloadbalancing.REGION.amazonaws.com`.
    public var endpoint: URL?
    /// The subnet instances are launched into (and so their availability zone); nil lets AWS choose
    /// in the default VPC.
    public var subnetID: String?
    /// `subnet_ids`: subnets (availability zones) to launch in, preferred first; a zone without capacity
    /// for the instance type moves a node to the next.
    public var subnetIDs: [String] = []
    /// Security groups given to every instance; empty means the VPC's default group.
    public var securityGroupIDs: [String]
    /// Instance type → USD per hour, kept for cost reports (`"t3.large" = 0.0832`).
    public var prices: [String: Double]
    /// Per request; no answer within it is a passing failure that is retried.
    public var requestTimeout: Duration

    public init(
        region: String? = nil, endpoint: URL? = nil, subnetID: String? = nil, securityGroupIDs: [String] = [],
        prices: [String: Double] = [:], requestTimeout: Duration = .seconds(30)
    ) {
        self.region = region
        self.endpoint = endpoint
        self.subnetID = subnetID
        self.securityGroupIDs = securityGroupIDs
        self.prices = prices
        self.requestTimeout = requestTimeout
    }
}

/// An access key pair and the optional session token of temporary credentials, read at the edge
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`). All print as `<redacted>`.
public struct AWSCredentials: Sendable, Hashable {
    public var accessKeyID: Secret
    public var secretAccessKey: Secret
    public var sessionToken: Secret?

    public init(accessKeyID: Secret, secretAccessKey: Secret, sessionToken: Secret? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}
