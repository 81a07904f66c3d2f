import Foundation
import Logging
import ScaleCore
import ScaleSigV4

/// One AWS query-protocol API (EC2, ELBv2): its signing name, version and default host.
enum AWSService: String, Sendable {
    case ec2
    case elbv2

    /// The service name in the SigV4 credential scope (moto picks the service from it) and the prefix
    /// of its IAM actions.
    var signingName: String { self == .ec2 ? "ec2" : "elasticloadbalancing" }
    var version: String { self == .ec2 ? "2016-11-15" : "2015-12-01" }

    func defaultEndpoint(region: String) -> URL? { URL(string: "https://\(signingName).\(region).amazonaws.com/") }
}

/// Signed form-encoded POSTs to AWS query APIs, each sent once; answers parsed into ``XMLTree``s and
/// failures into ``ProviderError``s (retrying is ``ProviderCalls``'s business).
struct AWSQueryClient: Sendable {
    let region: String
    let credentials: AWSCredentials
    let endpoint: URL?
    let timeout: Duration
    let http: HTTPClient
    /// The instant requests are signed at: the wall clock, even when the controller rehearses another
    /// instant, since AWS refuses signatures more than 15 minutes off.
    let now: @Sendable () -> Date
    let logger: Logger

    /// Calls `action` with `parameters` (in order, after `Action` and `Version`).
    /// - Parameter operation: what the call is for, as error messages name it (`create t-frontal-1-2`).
    func call(_ service: AWSService, _ action: String, _ parameters: [(String, String)], operation: String) async throws -> XMLTree {
        try await ProviderCalls.request("\(service.rawValue):\(action)", operation, effect: Self.effect(of: action)) {
            do {
                return try await send(service, action, parameters, operation: operation)
            } catch let error as ProviderError {
                throw error.scrubbed(of: [credentials.secretAccessKey] + (credentials.sessionToken.map { [$0] } ?? []))
            }
        }
    }

    /// Reads are retried freely, and so are the actions AWS documents as idempotent; `RunInstances`
    /// (and anything unknown) is sent again only when AWS refused it.
    static func effect(of action: String) -> ProviderCalls.Effect {
        if action.hasPrefix("Describe") { return .read }
        return ["TerminateInstances", "StopInstances", "RegisterTargets", "DeregisterTargets", "CreateTags", "DeleteTags"].contains(action)
            ? .idempotent : .mutation
    }

    private func send(_ service: AWSService, _ action: String, _ parameters: [(String, String)], operation: String) async throws -> XMLTree {
        guard let url = endpoint ?? service.defaultEndpoint(region: region) else {
            throw ProviderError(
                provider: "aws", operation: operation, code: "bad_endpoint",
                message: "no endpoint URL can be made for region \"\(region)\"", hint: "check provider.region")
        }
        let form = ([("Action", action), ("Version", service.version)] + parameters)
            .map { "\(SigV4Signer.encode($0.0))=\(SigV4Signer.encode($0.1))" }
            .joined(separator: "&")
        let body = Data(form.utf8)
        let signer = SigV4Signer(
            credentials: SigV4Signer.Credentials(
                accessKeyID: credentials.accessKeyID.reveal(), secretAccessKey: credentials.secretAccessKey.reveal(),
                sessionToken: credentials.sessionToken?.reveal()),
            region: region, service: service.signingName)
        let unsigned = SigV4Signer.Request(
            method: "POST", url: url, headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: body)
        let headers = signer.sign(unsigned, at: now())
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout))
        } catch let error as HTTPError {
            throw AWSErrors.from(error, operation: operation)
        }
        logger.debug(
            "AWS call answered",
            metadata: ["aws.service": "\(service.signingName)", "aws.action": "\(action)", "http.status": "\(response.status)"])
        guard response.isSuccess else {
            throw AWSErrors.from(response, service: service, action: action, operation: operation)
        }
        guard let tree = XMLTree.parse(response.body) else {
            throw ProviderError(
                provider: "aws", operation: operation, status: response.status, code: "bad_answer",
                message: "\(action) answered HTTP \(response.status) with a body that is not XML (\(response.body.count) bytes)",
                requestID: response.headers["x-amzn-requestid"], retry: .yes(after: nil))
        }
        return tree
    }
}

extension Array where Element == (String, String) {
    /// `Prefix.1=a&Prefix.2=b`: a query-protocol list.
    static func list(_ prefix: String, _ values: [String]) -> [(String, String)] {
        values.enumerated().map { ("\(prefix).\($0.offset + 1)", $0.element) }
    }

    /// `Filter.N.Name=name&Filter.N.Value.M=value`: EC2 filters.
    static func filters(_ filters: [(name: String, values: [String])]) -> [(String, String)] {
        filters.enumerated().flatMap { index, filter in
            [("Filter.\(index + 1).Name", filter.name)] + list("Filter.\(index + 1).Value", filter.values)
        }
    }
}
