import Foundation
import ScaleAlerts
import ScaleCore

extension AppContext {
    /// The configured alert channels behind a dispatcher journaling to the database. Their secrets are
    /// read here, at the edge.
    /// - Throws: ``ConfigError`` naming the key when a secret is missing or not usable.
    public func alertDispatcher() throws -> AlertDispatcher {
        let alerts = configuration.alerts
        return AlertDispatcher(
            channels: try AlertWiring.channels(alerts, configFile: configuration.file, environment: environment),
            log: store, settings: AlertDispatcher.Settings(dedupe: alerts.dedupe, notifySuccess: alerts.notifySuccess),
            clock: clock, logger: logger)
    }
}

/// Builds the channels `[alerts]` configures, reading the secrets they name.
enum AlertWiring {
    static func channels(_ alerts: AlertsConfiguration, configFile: String, environment: [String: String]) throws -> [any AlertChannel] {
        func read(_ secret: ConfiguredSecret?) throws -> Secret? {
            try secret?.read(configFile: configFile, environment: environment)
        }
        var channels: [any AlertChannel] = []
        if let email = alerts.email {
            channels.append(EmailChannel(settings: SMTPSettings(
                server: email.server, from: email.from, to: email.to, username: try read(email.user), password: try read(email.password),
                requireTLS: email.requireTLS, caFile: email.caFile, connectTimeout: email.connectTimeout, timeout: email.timeout)))
        }
        for webhook in alerts.webhooks {
            guard let url = try read(webhook.url) else { continue }
            guard WebhookSettings.isValidURL(url.reveal()) else {
                throw ConfigError(file: configFile, key: key(of: webhook.url), problem: "the webhook URL it gives is not an http or https URL")
            }
            channels.append(WebhookChannel(settings: WebhookSettings(
                name: webhook.name, url: url, format: webhook.format, signingKey: try read(webhook.secret), timeout: webhook.timeout)))
        }
        return channels
    }

    private static func key(of secret: ConfiguredSecret) -> String? {
        switch secret {
        case .literal: nil
        case .variable(_, let key), .file(_, let key): key
        }
    }
}
