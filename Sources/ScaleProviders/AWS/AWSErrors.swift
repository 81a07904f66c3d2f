import Foundation
import ScaleCore

/// Turns AWS's error answers into ``ProviderError``s: code, message, request id, whether retrying can
/// help, and what on-call should do.
enum AWSErrors {
    /// Codes of passing conditions; any 5xx answer is retried too.
    static let retryableCodes: Set<String> = [
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled", "InternalError", "InternalFailure",
        "ServiceUnavailable", "Unavailable",
    ]

    /// Codes that retrying right away will not mend, whatever the HTTP status (EC2 may answer a capacity
    /// shortage with a 500).
    static let finalCodes: Set<String> = ["InsufficientInstanceCapacity", "InsufficientHostCapacity", "InstanceLimitExceeded", "VcpuLimitExceeded"]

    /// An error answer: EC2's `<Response><Errors><Error>` or ELBv2's `<ErrorResponse><Error>`.
    static func from(_ response: HTTPResponse, service: AWSService, action: String, operation: String) -> ProviderError {
        let tree = XMLTree.parse(response.body)
        let error = tree?.first(named: "Error")
        let code = error?.value("Code") ?? "HTTP\(response.status)"
        let message = error?.value("Message")
            ?? "\(action) answered HTTP \(response.status) without an AWS error document"
        let requestID = tree?.value("RequestID") ?? tree?.value("RequestId") ?? response.headers["x-amzn-requestid"]
            ?? response.headers["x-amz-request-id"]
        let retryable = !finalCodes.contains(code) && (retryableCodes.contains(code) || response.status >= 500)
        return ProviderError(
            provider: "aws", operation: operation, status: response.status, code: code, message: message, requestID: requestID,
            retry: retryable ? .yes(after: nil) : .no, hint: hint(code: code, service: service, action: action))
    }

    /// No usable answer: a timeout or an unreachable endpoint may pass; an oversized answer will not.
    static func from(_ error: HTTPError, operation: String) -> ProviderError {
        ProviderError(error, provider: "aws", operation: operation)
    }

    /// What the code means for on-call, when known.
    static func hint(code: String, service: AWSService, action: String) -> String? {
        let iamAction = "\(service.signingName):\(action)"
        switch code {
        case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException":
            let also = action == "RunInstances" ? " and ec2:CreateTags (tags are set at launch)" : ""
            return "the credentials lack the IAM permission \(iamAction)\(also); grant it to the controller's user or role (docs/providers.md, AWS, lists every action it needs)"
        case "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "IncompleteSignature":
            return "AWS refused the credentials; check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones) and that this machine's clock is right"
        case "ExpiredToken", "RequestExpired":
            return "the credentials or the request expired; renew the session token, and check this machine's clock"
        case "InsufficientInstanceCapacity":
            return "AWS has no capacity for this instance type in this availability zone right now; give the role fallbacks (server_types) or the provider subnets in other zones (provider.subnet_ids), lower the role's count, or run again later"
        case "InstanceLimitExceeded", "VcpuLimitExceeded":
            return "the account's instance quota in this region is used up; lower the counts, change the instance type, or ask AWS for a higher limit (Service Quotas), then run again"
        case "InvalidAMIID.NotFound", "InvalidAMIID.Malformed", "InvalidAMIID.Unavailable":
            return "the image is gone or not usable; check the role's snapshot selector and the daily image job"
        case "InvalidSubnetID.NotFound", "InvalidGroup.NotFound", "InvalidSecurityGroupID.NotFound":
            return "check provider.subnet_id (or subnet_ids) and provider.security_group_ids: they must exist in region and VPC"
        case "TargetGroupNotFound":
            return "no target group has that name or ARN in this region; check the role's load_balancer"
        case "InvalidTarget":
            return "the instances must be running and in the target group's VPC"
        case "RequestLimitExceeded", "Throttling", "ThrottlingException":
            return "AWS is throttling this account's API calls; they are retried with backoff"
        default:
            return nil
        }
    }
}
