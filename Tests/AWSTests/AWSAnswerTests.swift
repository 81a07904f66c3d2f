import Foundation
import ScaleCore
@testable import ScaleProviders
import Testing

/// AWS's answers read into values: error documents into ``ProviderError``s, instances and images into
/// nodes and snapshots. Documents follow the shapes in AWS's API references.
struct AWSAnswerTests {
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var body: String
        var headers: [String: String] = [:]
        var service: AWSService = .ec2
        var action = "RunInstances"
        var code: String
        var requestID: String?
        var retryable: Bool
        var hintMentions: [String] = []

        var testDescription: String { "\(status) \(code)" }
    }

    static func ec2Error(_ code: String, _ message: String = "something") -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>"
    }

    static func elbError(_ code: String) -> String {
        "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><Error><Type>Sender</Type><Code>\(code)</Code><Message>Rate exceeded</Message></Error><RequestId>4d6f7a2e-example</RequestId></ErrorResponse>"
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            status: 403, body: ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
            code: "UnauthorizedOperation", requestID: "ea966190-f9aa-478e-9ede-example", retryable: false,
            hintMentions: ["ec2:RunInstances", "ec2:CreateTags"]),
        ErrorCase(
            status: 403, body: elbError("AccessDenied"), service: .elbv2, action: "RegisterTargets", code: "AccessDenied",
            requestID: "4d6f7a2e-example", retryable: false, hintMentions: ["elasticloadbalancing:RegisterTargets"]),
        ErrorCase(status: 503, body: ec2Error("RequestLimitExceeded"), code: "RequestLimitExceeded", requestID: "ea966190-f9aa-478e-9ede-example", retryable: true),
        ErrorCase(status: 400, body: elbError("Throttling"), service: .elbv2, action: "DescribeTargetHealth", code: "Throttling", requestID: "4d6f7a2e-example", retryable: true),
        ErrorCase(status: 400, body: elbError("ThrottlingException"), service: .elbv2, code: "ThrottlingException", requestID: "4d6f7a2e-example", retryable: true),
        ErrorCase(
            status: 500, body: ec2Error("InsufficientInstanceCapacity"), code: "InsufficientInstanceCapacity",
            requestID: "ea966190-f9aa-478e-9ede-example", retryable: false, hintMentions: ["lower the role's count", "server_type", "subnet"]),
        ErrorCase(
            status: 400, body: ec2Error("InsufficientInstanceCapacity"), code: "InsufficientInstanceCapacity",
            requestID: "ea966190-f9aa-478e-9ede-example", retryable: false, hintMentions: ["lower the role's count"]),
        ErrorCase(
            status: 400, body: ec2Error("InstanceLimitExceeded"), code: "InstanceLimitExceeded",
            requestID: "ea966190-f9aa-478e-9ede-example", retryable: false, hintMentions: ["lower the counts", "instance type"]),
        ErrorCase(status: 400, body: ec2Error("InvalidParameterValue"), code: "InvalidParameterValue", requestID: "ea966190-f9aa-478e-9ede-example", retryable: false),
        ErrorCase(
            status: 502, body: "<html>Bad Gateway</html>", headers: ["x-amzn-requestid": "from-header"], code: "HTTP502", requestID: "from-header",
            retryable: true),
        ErrorCase(status: 504, body: "", code: "HTTP504", retryable: true),
    ]

    @Test(arguments: errorCases)
    func errorAnswers(_ item: ErrorCase) {
        let response = HTTPResponse(status: item.status, headers: item.headers, body: Data(item.body.utf8))
        let error = AWSErrors.from(response, service: item.service, action: item.action, operation: "create t-frontal-1-1")
        #expect(error.provider == "aws")
        #expect(error.operation == "create t-frontal-1-1")
        #expect(error.status == item.status)
        #expect(error.code == item.code)
        #expect(error.requestID == item.requestID)
        #expect(error.isRetryable == item.retryable)
        for text in item.hintMentions { #expect(error.hint?.contains(text) == true, "\(error.hint ?? "no hint")") }
        #expect(!error.message.isEmpty)
    }

    @Test func transportFailures() {
        #expect(AWSErrors.from(HTTPError.timeout(target: "http://x", after: .seconds(30)), operation: "list nodes").isRetryable)
        #expect(AWSErrors.from(HTTPError.unreachable(target: "http://x", reason: "refused"), operation: "list nodes").isRetryable)
        #expect(!AWSErrors.from(HTTPError.tooLarge(target: "http://x", limit: 10), operation: "list nodes").isRetryable)
    }

    @Test(arguments: [
        ("pending", NodeState.creating), ("running", .running), ("stopping", .stopping), ("stopped", .off),
        ("shutting-down", .deleting), ("terminated", .deleting), ("rebooting?", .error),
    ])
    func instanceStates(_ ec2: String, _ ours: NodeState) {
        #expect(EC2Mapping.state(ec2) == ours)
    }

    @Test func instancesAcrossReservationsBecomeNodes() throws {
        let xml = """
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>
            <reservationSet>
              <item><reservationId>r-1</reservationId><instancesSet>
                <item><instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState>
                  <blockDeviceMapping><item><deviceName>/dev/xvda</deviceName></item></blockDeviceMapping>
                  <privateIpAddress>10.0.0.7</privateIpAddress><ipAddress>3.3.3.3</ipAddress><instanceType>t3.large</instanceType>
                  <launchTime>2026-11-23T19:30:05.000Z</launchTime>
                  <tagSet><item><key>Name</key><value>m-frontal-1-1</value></item><item><key>scalectl-fleet</key><value>m</value></item></tagSet>
                </item>
              </instancesSet></item>
              <item><reservationId>r-2</reservationId><instancesSet>
                <item><instanceId>i-2</instanceId><instanceState><code>0</code><name>pending</name></instanceState><tagSet/></item>
              </instancesSet></item>
            </reservationSet><nextToken>abc</nextToken></DescribeInstancesResponse>
            """
        let tree = try #require(XMLTree.parse(Data(xml.utf8)))
        let nodes = EC2Mapping.instances(tree)
        #expect(nodes.count == 2)
        #expect(nodes[0].name == "m-frontal-1-1" && nodes[0].labels == ["scalectl-fleet": "m"])
        #expect(nodes[0].privateIP == "10.0.0.7" && nodes[0].publicIP == "3.3.3.3" && nodes[0].serverType == "t3.large")
        #expect(nodes[0].createdAt == Date(timeIntervalSince1970: 1_795_462_205))
        #expect(nodes[0].state == .running && nodes[0].providerStatus == "running")
        #expect(nodes[1].name == "i-2" && nodes[1].state == .creating, "an instance without a Name tag is named by its id")
        #expect(tree.value("nextToken") == "abc")
    }

    @Test func newestAvailableImageWins() throws {
        func image(_ id: String, _ date: String, _ state: String = "available") -> String {
            "<item><imageId>\(id)</imageId><name>n-\(id)</name><imageState>\(state)</imageState><creationDate>\(date)</creationDate><tagSet><item><key>role</key><value>frontal</value></item></tagSet></item>"
        }
        let xml = "<DescribeImagesResponse><imagesSet>"
            + image("ami-old", "2026-11-22T14:00:00.000Z") + image("ami-new", "2026-11-23T14:00:00.000Z")
            + image("ami-pending", "2026-11-23T15:00:00.000Z", "pending") + image("ami-mid", "2026-11-23T02:00:00Z")
            + "</imagesSet></DescribeImagesResponse>"
        let tree = try #require(XMLTree.parse(Data(xml.utf8)))
        let newest = try #require(EC2Mapping.newestImage(tree))
        #expect(newest.id == "ami-new" && newest.name == "n-ami-new")
        let empty = try #require(XMLTree.parse(Data("<r><imagesSet/></r>".utf8)))
        #expect(EC2Mapping.newestImage(empty) == nil)
    }

    @Test func selectorsBecomeTagFilters() throws {
        let filters = try EC2Mapping.tagFilters("role=frontal, tier = web", operation: "x")
        #expect(filters.map(\.name) == ["tag:role", "tag:tier"])
        #expect(filters.map(\.values) == [["frontal"], ["web"]])
        for bad in ["role", "role!=x", "=x", "role==x"] {
            #expect(throws: ProviderError.self, "\(bad)") { try EC2Mapping.tagFilters(bad, operation: "x") }
        }
    }

    @Test func clientTokensRepeatWithinARunAndChangeForAReplacement() async {
        let tokens = ClientTokens()
        let first = await tokens.token(name: "mihiluze-frontal-12345-10", event: "12345", run: "987")
        #expect(first.count <= 64 && !first.isEmpty)
        #expect(await tokens.token(name: "mihiluze-frontal-12345-10", event: "12345", run: "987") == first, "a retried create")
        #expect(await tokens.token(name: "mihiluze-frontal-12345-10", event: "12345", run: "988") != first, "another run")
        #expect(await tokens.token(name: "mihiluze-frontal-12345-11", event: "12345", run: "987") != first, "another node")
        await tokens.didTerminate("mihiluze-frontal-12345-10")
        #expect(await tokens.token(name: "mihiluze-frontal-12345-10", event: "12345", run: "987") != first, "a replacement")
    }

    @Test func malformedAnswersAreNotTrees() {
        #expect(XMLTree.parse(Data("<a><b></a>".utf8)) == nil)
        #expect(XMLTree.parse(Data()) == nil)
    }
}
