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

    public init(
        provider: String, operation: String, status: Int? = nil, code: String, message: String,
        requestID: String? = nil, retry: Retry = .no, hint: String? = nil
    ) {
        self.provider = provider
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.retry = retry
        self.hint = hint
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

    public var description: String {
        var text = "\(provider): \(operation) failed: \(code)"
        if let status { text += " (HTTP \(status))" }
        text += ": \(message)"
        if let requestID { text += " [request id \(requestID)]" }
        if let hint { text += ". \(hint)" }
        return text
    }
}
