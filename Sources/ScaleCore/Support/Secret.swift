/// A credential (token, password, signing key). It prints as `<redacted>` in every message, log and
/// dump; only ``reveal()`` gives the value, at the point where a header or handshake needs it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) { self.value = value }

    public func reveal() -> String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

extension Secret {
    /// `text` with every occurrence of the secret (at least 4 characters long) replaced by `<redacted>`.
    public func scrub(_ text: String) -> String {
        guard value.count >= 4, text.contains(value) else { return text }
        return text.replacingOccurrences(of: value, with: "<redacted>")
    }
}

extension ProviderError {
    /// The error with every configured secret scrubbed from its texts: a provider may echo a token or a
    /// key back in an error message, and nothing leaves the provider adapter with it.
    public func scrubbed(of secrets: [Secret]) -> ProviderError {
        func clean(_ text: String) -> String { secrets.reduce(text) { $1.scrub($0) } }
        var error = self
        error.operation = clean(operation)
        error.code = clean(code)
        error.message = clean(message)
        error.requestID = requestID.map(clean)
        error.hint = hint.map(clean)
        return error
    }
}
