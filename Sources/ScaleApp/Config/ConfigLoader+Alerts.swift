import Foundation
import ScaleAlerts
import ScaleCore

extension ConfigLoader {
    /// The keys that make `[alerts.webhook]` one webhook rather than a table of named ones.
    private static let webhookKeys = ["url", "url_env", "url_file", "format", "secret_env", "secret_file", "timeout"]

    /// Reads `[alerts]`; no table means console alerts only.
    static func alertsConfiguration(_ root: TOMLReader, resolve: (String) -> String) throws -> AlertsConfiguration {
        var alerts = AlertsConfiguration()
        guard let table = try root.table("alerts") else { return alerts }
        alerts.dedupe = try table.duration("dedupe") ?? alerts.dedupe
        alerts.notifySuccess = try table.bool("notify_success") ?? false
        if let email = try table.table("email") {
            alerts.email = try emailConfiguration(email, resolve: resolve)
        }
        if let webhook = try table.table("webhook") {
            if webhookKeys.contains(where: webhook.has) {
                alerts.webhooks = [try webhookConfiguration(webhook, name: "webhook", resolve: resolve)]
            } else {
                let names = webhook.keys.sorted { (webhook.line($0) ?? .max, $0) < (webhook.line($1) ?? .max, $1) }
                for name in names {
                    guard name.range(of: "^[a-z0-9][a-z0-9_-]{0,31}$", options: .regularExpression) != nil else {
                        throw webhook.error(name, "\"\(name)\" is neither a webhook key (url, url_env, format, ...) nor a usable webhook name: use up to 32 lowercase letters, digits, - or _")
                    }
                    guard let named = try webhook.table(name) else {
                        throw webhook.error(name, "must be a table: [alerts.webhook.\(name)] with url_env = \"...\" (or url, url_file) and format")
                    }
                    alerts.webhooks.append(try webhookConfiguration(named, name: "webhook.\(name)", resolve: resolve))
                }
                try webhook.finish()
            }
        }
        try table.finish()
        return alerts
    }

    private static func emailConfiguration(_ table: TOMLReader, resolve: (String) -> String) throws -> EmailConfiguration {
        let smtp = try table.requiredString("smtp")
        guard let server = URL(string: smtp), let scheme = server.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
              let host = server.host, !host.isEmpty
        else {
            throw table.error("smtp", "\"\(smtp)\" is not an SMTP server URL: write it like smtp://mail.example.org:587 (STARTTLS when offered) or smtps://mail.example.org:465")
        }
        guard server.user == nil, server.password == nil else {
            throw table.error("smtp", "must not hold credentials: name them with user_env and password_env")
        }
        let from = try table.requiredString("from")
        guard SMTPSettings.isValidAddress(from) else { throw table.error("from", "\"\(from)\" is not a plain address such as scalectl@example.org") }
        guard let to = try table.strings("to"), !to.isEmpty else {
            throw table.error("to", "is required: a list of addresses, such as to = [\"oncall@example.org\"]")
        }
        if let bad = to.first(where: { !SMTPSettings.isValidAddress($0) }) {
            throw table.error("to", "\"\(bad)\" is not a plain address such as oncall@example.org")
        }
        let user = try secret(table, "user", literal: true, resolve: resolve)
        let password = try secret(table, "password", literal: false, resolve: resolve)
        guard (user == nil) == (password == nil) else {
            throw table.error(user == nil ? "password_env" : "user_env", "give both the user and the password (user_env and password_env, or _file), or neither")
        }
        let caFile = try table.string("ca_file").map(resolve)
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw table.error("ca_file", "cannot read \(caFile): give a readable PEM file of the certificate authorities to trust")
        }
        let configuration = EmailConfiguration(
            server: server, from: from, to: to, user: user, password: password,
            requireTLS: try table.bool("require_tls") ?? false, caFile: caFile,
            connectTimeout: try table.duration("connect_timeout") ?? .seconds(10),
            timeout: try table.duration("timeout") ?? .seconds(30))
        try table.finish()
        return configuration
    }

    private static func webhookConfiguration(_ table: TOMLReader, name: String, resolve: (String) -> String) throws -> WebhookConfiguration {
        guard let url = try secret(table, "url", literal: true, resolve: resolve) else {
            throw table.error(nil, "needs the URL: url_env = \"VARIABLE\" (a Slack webhook URL is a credential), url_file, or url")
        }
        if case .literal(let text) = url, !WebhookSettings.isValidURL(text.reveal()) {
            throw table.error("url", "is not an http or https URL")
        }
        let formatText = try table.string("format") ?? WebhookSettings.Format.json.rawValue
        guard let format = WebhookSettings.Format(rawValue: formatText) else {
            throw table.error("format", "\"\(formatText)\" is not a webhook format; use \"slack\" or \"json\"")
        }
        let configuration = WebhookConfiguration(
            name: name, url: url, format: format, secret: try secret(table, "secret", literal: false, resolve: resolve),
            timeout: try table.duration("timeout") ?? .seconds(10))
        try table.finish()
        return configuration
    }

    /// `KEY` (when a literal is allowed), `KEY_env` or `KEY_file`: at most one of them.
    private static func secret(_ table: TOMLReader, _ key: String, literal: Bool, resolve: (String) -> String) throws -> ConfiguredSecret? {
        let given = (literal ? [key] : []) + ["\(key)_env", "\(key)_file"]
        let present = given.filter(table.has)
        guard present.count <= 1 else {
            throw table.error(present[1], "give only one of \(given.joined(separator: ", "))")
        }
        if !literal, table.has(key) {
            throw table.error(key, "secrets never live in the file: name the variable that holds it with \(key)_env (or a file with \(key)_file)")
        }
        let path = table.path.isEmpty ? "" : table.path + "."
        if literal, let value = try table.string(key) { return .literal(Secret(value)) }
        if let variable = try table.string("\(key)_env") {
            guard !variable.isEmpty else { throw table.error("\(key)_env", "names no variable") }
            return .variable(variable, key: path + "\(key)_env")
        }
        if let file = try table.string("\(key)_file") { return .file(resolve(file), key: path + "\(key)_file") }
        return nil
    }
}
