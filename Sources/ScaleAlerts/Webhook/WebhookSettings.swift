import Foundation
import ScaleCore

/// One webhook: where to post, in which shape, and the key that signs it.
public struct WebhookSettings: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// Slack's incoming-webhook message: `text` and `blocks`.
        case slack
        /// scalectl's own document (see ``WebhookDocument``).
        case json
    }

    /// `webhook`, or `webhook.NAME` when several are configured.
    public var name: String
    /// The URL, held as a secret: a Slack webhook URL is itself the credential.
    public var url: Secret
    public var format: Format
    /// Signs each request (`X-Scalectl-Signature`) when set.
    public var signingKey: Secret?
    public var timeout: Duration

    public init(name: String, url: Secret, format: Format, signingKey: Secret? = nil, timeout: Duration = .seconds(10)) {
        self.name = name
        self.url = url
        self.format = format
        self.signingKey = signingKey
        self.timeout = timeout
    }

    /// `https://hooks.slack.com`: scheme, host and port, never the path that carries the credential.
    public var target: String {
        URL(string: url.reveal())?.origin ?? "the webhook URL"
    }

    /// Whether `text` is an http or https URL with a host.
    public static func isValidURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else { return false }
        return scheme == "http" || scheme == "https"
    }
}
