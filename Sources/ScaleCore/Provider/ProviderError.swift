import Foundation

/// A provider call that failed, with everything on-call needs to act on it.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Retry: Sendable, Hashable {
        /// Retrying will not help (bad input, quota, not found, ...).
        case no
        /// A passing condition (429, 5xx, conflict, timeout); wait at least `after` when given.
        case yes(after: Duration?)
    }

    public var provider: String
    /// What was attempted: `create mihiluze-frontal-3-2`, `list nodes`.
    public var operation: String
    /// The HTTP status, when there was an answer.
    public var status: Int?
    /// The provider's error code (`resource_unavailable`, `InvalidAMIID.NotFound`) or ours (`timeout`, `circuit_open`).
    public var code: String
    public var message: String
    /// The request or correlation id to quote to the provider's support.
    public var requestID: String?
    public var retry: Retry
    /// What the error means for on-call and what to do, when known.
    public var hint: String?
    /// ``ProviderCalls`` already retried this request as far as it may and counted it for the breaker:
    /// callers wrapping the whole operation must neither repeat nor count it again.
    public var settled = false

    public init(
        provider: String, operation: String, status: Int? = nil, code: String, message: String,
        requestID: String? = nil, retry: Retry = .no, hint: String? = nil, settled: Bool = false
    ) {
        self.provider = provider
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.retry = retry
        self.hint = hint
        self.settled = settled
    }

    /// The code a provider uses when a create fails because the name is taken (Hetzner's own word);
    /// the executor then looks the name up and adopts the server only if it carries this fleet's label.
    public static let nameTakenCode = "uniqueness_error"

    /// A call that got no usable answer.
    public init(_ error: HTTPError, provider: String, operation: String, hint: String? = nil) {
        self.init(
            provider: provider, operation: operation, code: error.code, message: error.description,
            retry: error.isPassing ? .yes(after: nil) : .no, hint: hint)
    }

    public var isRetryable: Bool { if case .yes = retry { true } else { false } }

    /// Codes by which providers ask a client to slow down (Hetzner's 429, AWS's throttling family).
    public static let throttleCodes: Set<String> = [
        "rate_limit_exceeded", "RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled",
        "RequestThrottledException", "TooManyRequestsException", "SlowDown",
    ]

    /// Codes by which a provider says it has no capacity for this server type where it was asked
    /// (Hetzner's `resource_unavailable` and `placement_error`, AWS's `InsufficientInstanceCapacity`):
    /// another type or place may have room.
    public static let soldOutCodes: Set<String> = [
        "resource_unavailable", "placement_error", "InsufficientInstanceCapacity", "InsufficientHostCapacity",
        "Unsupported",
    ]

    /// Codes by which a provider says the project or account may hold no more servers (Hetzner's
    /// `resource_limit_exceeded`, AWS's instance and vCPU limits, DigitalOcean's droplet limit, which it
    /// answers as a 422 the provider names `droplet_limit_exceeded`): no other type or place helps.
    public static let quotaCodes: Set<String> = ["resource_limit_exceeded", "InstanceLimitExceeded", "VcpuLimitExceeded", "droplet_limit_exceeded"]

    /// This server type cannot be had where it was asked for right now.
    public var isSoldOut: Bool { Self.soldOutCodes.contains(code) }

    /// The project's or account's server limit is reached.
    public var isQuotaExceeded: Bool { Self.quotaCodes.contains(code) }

    /// Ours: a node the cloud had no room for in any of its role's choices, or under the server limit.
    public static let noRoomCode = "no_room"

    /// The cloud had no room for the node anywhere it may go: the role goes on with fewer.
    public var isNoRoom: Bool { code == Self.noRoomCode }

    /// The provider asked to slow down: a reason to wait, never a sign that it is failing.
    public var isThrottle: Bool { status == 429 || Self.throttleCodes.contains(code) }

    /// No answer came back (timeout, connection dropped) or a gateway gave up waiting: the provider may
    /// have carried the request out. A mutation is not sent again blindly after this; look first.
    public var outcomeUnknown: Bool { status == nil ? ["timeout", "unreachable"].contains(code) : status == 504 }

    public var description: String {
        var text = "\(provider): \(operation) failed: \(answer)"
        if let hint { text += ". \(hint)" }
        return text
    }

    /// What the provider answered: `resource_unavailable (HTTP 412): ... [request id ...]`.
    public var answer: String {
        var text = code
        if let status { text += " (HTTP \(status))" }
        text += ": \(message)"
        if let requestID { text += " [request id \(requestID)]" }
        return text
    }
}
