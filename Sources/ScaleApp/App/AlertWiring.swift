import Foundation
import ScaleAlerts
import ScaleCore

extension AppContext {
    /// The alert channels behind one dispatcher journaling to the state store: the console (stderr) when
    /// `console` is set, the channels `[alerts]` configures, then `extra` (tests add recorders there).
    /// Runs, doctor and `alert test` all alert through it. Secrets are read here, at the edge.
    /// - Throws: ``ConfigError`` naming the key when a secret is missing or not usable.
    public func alertDispatcher(console: Bool = true, extra: [any AlertChannel] = []) throws -> AlertDispatcher {
        try dispatcher(configured: try AlertWiring.channels(configuration.alerts, configFile: configuration.file, environment: environment), console: console, extra: extra)
    }

    /// The dispatcher with only the console and `extra` when the configured channels cannot be set up,
    /// and why: doctor reports the missing secret as a finding instead of stopping.
    public func alertDispatcherOrProblem(extra: [any AlertChannel] = []) -> (dispatcher: AlertDispatcher, problem: String?) {
        do {
            return (try alertDispatcher(extra: extra), nil)
        } catch {
            return (dispatcher(configured: [], console: true, extra: extra), "\(error)")
        }
    }

    private func dispatcher(configured: [any AlertChannel], console: Bool, extra: [any AlertChannel]) -> AlertDispatcher {
        let alerts = configuration.alerts
        let shown: [any AlertChannel] = console ? [ConsoleChannel(console: self.console)] : []
        return AlertDispatcher(
            channels: shown + configured + extra, log: store,
            settings: AlertDispatcher.Settings(dedupe: alerts.dedupe, notifySuccess: alerts.notifySuccess), clock: clock, logger: logger)
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
