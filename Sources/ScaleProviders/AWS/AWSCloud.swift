import Foundation
import Logging
import ScaleCore

/// Amazon EC2 instances from the newest tagged AMI, behind ELBv2 target groups.
///
/// Nodes are EC2 instances named by their `Name` tag and owned through the `scalectl-*` tags; the
/// load balancer a role names is a target group (name or ARN). Every method makes its API calls once;
/// retrying is ``ProviderCalls``'s business.
public struct AWSCloud: CloudProvider, LoadBalancing {
    public let name = "aws"
    public let fleet: String
    public let settings: AWSSettings
    let client: AWSQueryClient
    let tokens = ClientTokens()
    let targetGroups = TargetGroupCache()
    /// `MaxResults` of one `DescribeInstances` page.
    let pageSize: Int
    let logger: Logger

    /// - Parameters:
    ///   - region: the settings' region, or `AWS_REGION` as the caller read it.
    ///   - now: the wall clock requests are signed with; never a rehearsal clock (AWS refuses
    ///     signatures more than 15 minutes off).
    ///   - pageSize: instances per `DescribeInstances` page (5-1000).
    public init(
        fleet: String, settings: AWSSettings, region: String, credentials: AWSCredentials, http: HTTPClient = HTTPClient(),
        now: @escaping @Sendable () -> Date = { Date() }, pageSize: Int = 500, logger: Logger
    ) {
        self.fleet = fleet
        self.settings = settings
        self.pageSize = min(1000, max(5, pageSize))
        self.logger = logger
        self.client = AWSQueryClient(
            region: region, credentials: credentials, endpoint: settings.endpoint, timeout: settings.requestTimeout, http: http,
            now: now, logger: logger)
    }

    // MARK: Snapshots

    /// The newest available AMI this account owns whose tags match `selector` (`role=frontal`).
    public func newestSnapshot(role: String, selector: String) async throws -> Snapshot? {
        let operation = "find the newest image for \(role)"
        let filters = try EC2Mapping.tagFilters(selector, operation: operation) + [(name: "state", values: ["available"])]
        let answer = try await client.call(
            .ec2, "DescribeImages", .list("Owner", ["self"]) + .filters(filters), operation: operation)
        return EC2Mapping.newestImage(answer)
    }

    // MARK: Instances

    /// Every instance tagged with this fleet, in every state but `terminated`, page by page.
    public func listNodes() async throws -> [Node] {
        try await describeInstances(
            filters: [(name: "tag:\(OwnershipLabel.fleet)", values: [fleet]), (name: "instance-state-name", values: EC2Mapping.liveStates)],
            operation: "list nodes")
    }

    /// The live instance whose `Name` tag is `name`, whoever owns it; this fleet's first when several are.
    public func node(named name: String) async throws -> Node? {
        let found = try await describeInstances(
            filters: [(name: "tag:Name", values: [name]), (name: "instance-state-name", values: EC2Mapping.liveStates)],
            operation: "look up \(name)")
        return found.first { $0.fleet == fleet } ?? found.first
    }

    func describeInstances(filters: [(name: String, values: [String])], operation: String) async throws -> [Node] {
        var nodes: [Node] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            var parameters: [(String, String)] = .filters(filters) + [("MaxResults", String(pageSize))]
            if let token { parameters.append(("NextToken", token)) }
            let answer = try await client.call(.ec2, "DescribeInstances", parameters, operation: operation)
            nodes += EC2Mapping.instances(answer)
            token = answer.value("nextToken")
            if let next = token, !seen.insert(next).inserted {
                throw ProviderError(
                    provider: name, operation: operation, code: "bad_answer",
                    message: "DescribeInstances gave the page token \(next) twice; stopped paging after \(nodes.count) instances",
                    retry: .yes(after: nil))
            }
        } while token != nil
        return nodes
    }

    /// One `RunInstances` for one instance, tagged at launch with the ownership labels and `Name`.
    public func createNode(_ spec: NodeSpec) async throws -> Node {
        let operation = "create \(spec.name)"
        let tags = spec.labels.sorted { $0.key < $1.key } + [(key: "Name", value: spec.name)]
        var parameters: [(String, String)] = [
            ("ImageId", spec.snapshot.id), ("InstanceType", spec.serverType), ("MinCount", "1"), ("MaxCount", "1"),
            (
                "ClientToken",
                await tokens.token(
                    name: spec.name, event: spec.labels[OwnershipLabel.event] ?? "", run: spec.labels[OwnershipLabel.run] ?? "",
                    placement: "\(spec.serverType)\n\(spec.location ?? "")")
            ),
            ("TagSpecification.1.ResourceType", "instance"),
        ]
        for (index, tag) in tags.enumerated() {
            parameters += [("TagSpecification.1.Tag.\(index + 1).Key", tag.key), ("TagSpecification.1.Tag.\(index + 1).Value", tag.value)]
        }
        if let subnet = spec.location ?? settings.subnetID { parameters.append(("SubnetId", subnet)) }
        parameters += .list("SecurityGroupId", settings.securityGroupIDs)
        let answer = try await client.call(.ec2, "RunInstances", parameters, operation: operation)
        guard let item = answer.list("instancesSet").first, let node = EC2Mapping.node(item) else {
            throw ProviderError(
                provider: name, operation: operation, code: "bad_answer", message: "RunInstances answered without an instance",
                requestID: answer.value("requestId"))
        }
        logger.info("Instance launched", metadata: ["node.name": "\(spec.name)", "node.id": "\(node.id)", "aws.image": "\(spec.snapshot.id)"])
        return node
    }

    /// `TerminateInstances` for one of this fleet's instances; one already gone is not an error.
    /// - Throws: a ``ProviderError`` refusing any instance without this fleet's tag.
    public func deleteNode(_ node: Node) async throws {
        let operation = "delete \(node.name)"
        guard node.fleet == fleet else {
            throw ProviderError(
                provider: name, operation: operation, code: "not_owned",
                message: "instance \(node.id) has no tag \(OwnershipLabel.fleet)=\(fleet); refused to terminate it",
                hint: "the controller never terminates instances it does not own")
        }
        do {
            _ = try await client.call(.ec2, "TerminateInstances", .list("InstanceId", [node.id]), operation: operation)
        } catch let error as ProviderError where error.code == "InvalidInstanceID.NotFound" {
            logger.debug("Instance already gone", metadata: ["node.name": "\(node.name)", "node.id": "\(node.id)"])
        }
        await tokens.didTerminate(node.name)
    }
}
