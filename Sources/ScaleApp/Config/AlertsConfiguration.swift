import Foundation
import ScaleAlerts
import ScaleCore

/// `[alerts]`: where alerts go and how often. Secrets are named here (variables or files), and read
/// only when the channels are built.
public struct AlertsConfiguration: Sendable {
    /// The same problem is not sent again to a channel within this period.
    public var dedupe: Duration = .seconds(30 * 60)
    /// A summary after each run that created or deleted nodes.
    public var notifySuccess = false
    public var email: EmailConfiguration?
    public var webhooks: [WebhookConfiguration] = []

    public init() {}

    public var hasChannels: Bool { email != nil || !webhooks.isEmpty }
}


/// `[alerts.email]`.
public struct EmailConfiguration: Sendable {
    public var server: URL
    public var from: String
    public var to: [String]
    public var user: ConfiguredSecret?
    public var password: ConfiguredSecret?
    public var requireTLS: Bool
    /// `ca_file`: the certificate authorities to trust instead of the system's, resolved against the
    /// configuration's directory.
    public var caFile: String?
    public var connectTimeout: Duration
    public var timeout: Duration
}

/// `[alerts.webhook]` or `[alerts.webhook.NAME]`.
public struct WebhookConfiguration: Sendable {
    /// `webhook`, or `webhook.NAME`.
    public var name: String
    public var url: ConfiguredSecret
    public var format: WebhookSettings.Format
    public var secret: ConfiguredSecret?
    public var timeout: Duration
}
