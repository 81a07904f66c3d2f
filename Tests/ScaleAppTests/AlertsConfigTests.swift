import Foundation
import ScaleAlerts
import ScaleApp
import ScaleCore
import ScaleTesting
import Testing

struct AlertsConfigTests {
    static let base = """
        [controller]
        fleet = "t"
        timezone = "UTC"

        [provider]
        kind = "sim"

        [roles.frontal]
        server_type = "cpx31"
        snapshot = { labels = "role=frontal" }

        """

    static let good = base + """
        [alerts]
        dedupe = "1h"
        notify_success = true

        [alerts.email]
        smtp = "smtp://mail.example.org:587"
        from = "scalectl@example.org"
        to = ["oncall@example.org", "lead@example.org"]
        user_env = "SMTP_USER"
        password_env = "SMTP_PASSWORD"

        [alerts.webhook]
        url_env = "SLACK_URL"
        format = "slack"
        """

    @Test func readsEmailAndOneWebhook() throws {
        let alerts = try ConfigLoader.parse(Self.good, file: "/etc/scalectl/scalectl.toml").alerts
        #expect(alerts.dedupe == .seconds(3600))
        #expect(alerts.notifySuccess)
        let email = try #require(alerts.email)
        #expect(email.server.absoluteString == "smtp://mail.example.org:587")
        #expect(email.to == ["oncall@example.org", "lead@example.org"])
        #expect(email.password == .variable("SMTP_PASSWORD", key: "alerts.email.password_env"))
        #expect(email.timeout == .seconds(30) && email.connectTimeout == .seconds(10) && !email.requireTLS)
        #expect(alerts.webhooks.map(\.name) == ["webhook"])
        #expect(alerts.webhooks.first?.format == .slack)
        #expect(alerts.webhooks.first?.url == .variable("SLACK_URL", key: "alerts.webhook.url_env"))
    }

    @Test func readsNamedWebhooksInTheFileOrder() throws {
        let text = Self.base + """
            [alerts.webhook.pager]
            url_file = "secrets/pager-url"
            secret_env = "PAGER_SIGNING_KEY"

            [alerts.webhook.chat]
            url = "https://hooks.example.org/scalectl"
            format = "slack"
            timeout = "3s"
            """
        let alerts = try ConfigLoader.parse(text, file: "/srv/scalectl/scalectl.toml").alerts
        #expect(alerts.webhooks.map(\.name) == ["webhook.pager", "webhook.chat"])
        #expect(alerts.webhooks[0].url == .file("/srv/scalectl/secrets/pager-url", key: "alerts.webhook.pager.url_file"))
        #expect(alerts.webhooks[0].format == .json, "json is the default format")
        #expect(alerts.webhooks[0].secret == .variable("PAGER_SIGNING_KEY", key: "alerts.webhook.pager.secret_env"))
        #expect(alerts.webhooks[1].timeout == .seconds(3))
        #expect(alerts.email == nil)
        #expect(alerts.dedupe == .seconds(1800), "30m by default")
    }

    @Test func noAlertsTableMeansNoChannels() throws {
        #expect(try !ConfigLoader.parse(Self.base, file: "scalectl.toml").alerts.hasChannels)
    }

    static let broken: [(String, String, String)] = [
        ("dedupe = \"1h\"", "dedupe = \"hourly\"", "scalectl.toml:12: alerts.dedupe: \"hourly\" is not a duration"),
        ("notify_success = true", "notify_success = \"yes\"", "scalectl.toml:13: alerts.notify_success: must be true or false"),
        ("notify_success = true", "notify = true", "scalectl.toml:13: alerts.notify: unknown key"),
        ("smtp://mail.example.org:587", "http://mail.example.org", "scalectl.toml:16: alerts.email.smtp: \"http://mail.example.org\" is not an SMTP server URL"),
        ("smtp://mail.example.org:587", "smtp://me:pw@mail.example.org:587", "alerts.email.smtp: must not hold credentials"),
        ("from = \"scalectl@example.org\"", "from = \"scalectl\"", "scalectl.toml:17: alerts.email.from: \"scalectl\" is not a plain address"),
        ("to = [\"oncall@example.org\", \"lead@example.org\"]", "to = []", "scalectl.toml:18: alerts.email.to: is required"),
        ("to = [\"oncall@example.org\", \"lead@example.org\"]", "to = \"oncall@example.org\"", "alerts.email.to: must be a list of strings"),
        ("to = [\"oncall@example.org\", \"lead@example.org\"]", "to = [\"on call@example.org\"]", "alerts.email.to: \"on call@example.org\" is not a plain address"),
        ("password_env = \"SMTP_PASSWORD\"", "password = \"hunter2\"", "scalectl.toml:20: alerts.email.password: secrets never live in the file"),
        ("password_env = \"SMTP_PASSWORD\"", "", "alerts.email.user_env: give both the user and the password"),
        ("password_env = \"SMTP_PASSWORD\"", "password_env = \"SMTP_PASSWORD\"\npassword_file = \"/run/pw\"", "alerts.email.password_file: give only one of password_env, password_file"),
        ("user_env = \"SMTP_USER\"", "user_env = \"SMTP_USER\"\nstarttls = true", "alerts.email.starttls: unknown key"),
        ("format = \"slack\"", "format = \"teams\"", "scalectl.toml:24: alerts.webhook.format: \"teams\" is not a webhook format"),
        ("url_env = \"SLACK_URL\"", "url_env = \"SLACK_URL\"\nurl = \"https://x.example.org/\"", "alerts.webhook.url_env: give only one of url, url_env, url_file"),
        ("url_env = \"SLACK_URL\"", "url = \"hooks.example.org/x\"", "alerts.webhook.url: is not an http or https URL"),
        ("url_env = \"SLACK_URL\"", "", "alerts.webhook: needs the URL"),
        ("[alerts.webhook]\nurl_env = \"SLACK_URL\"\nformat = \"slack\"", "[alerts.webhook.Ops]\nurl_env = \"X\"", "alerts.webhook.Ops: \"Ops\" is neither a webhook key"),
        ("[alerts.webhook]\nurl_env = \"SLACK_URL\"\nformat = \"slack\"", "[alerts.webhook]\nops = \"x\"", "alerts.webhook.ops: must be a table"),
    ]

    @Test(arguments: broken)
    func refusesNamingKeyAndLine(replace: String, with: String, message: String) throws {
        #expect(Self.good.contains(replace), "the fixture still has \(replace)")
        let text = Self.good.replacingOccurrences(of: replace, with: with)
        #expect {
            try ConfigLoader.parse(text, file: "scalectl.toml")
        } throws: { error in
            error is ConfigError && "\(error)".contains(message)
        }
    }

    @Test func secretsAreReadWhenTheChannelsAreBuilt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try directory.write("scalectl.toml", Self.good)
        let environment = ["SMTP_USER": "alice", "SMTP_PASSWORD": "pw-123", "SLACK_URL": "https://hooks.example.org/T0/B0/secret-part"]
        let context = try AppContext(GlobalOptions(config: config), logger: TestTools.quietLogger, environment: environment)
        let dispatcher = try context.alertDispatcher()
        #expect(dispatcher.channels.map(\.name) == ["stderr", "email", "webhook"], "the console first, then the configured channels")
        #expect(dispatcher.channels.map(\.journaled) == [false, true, true])
        #expect(dispatcher.channels.map(\.target) == ["stderr", "smtp://mail.example.org:587, 2 recipients", "https://hooks.example.org (slack)"])

        var missing = environment
        missing["SMTP_PASSWORD"] = nil
        #expect {
            try AppContext(GlobalOptions(config: config), logger: TestTools.quietLogger, environment: missing).alertDispatcher()
        } throws: { error in
            error is ConfigError && "\(error)".contains("alerts.email.password_env: the environment variable SMTP_PASSWORD is not set")
        }
        var badURL = environment
        badURL["SLACK_URL"] = "not a url secret-part"
        #expect {
            try AppContext(GlobalOptions(config: config), logger: TestTools.quietLogger, environment: badURL).alertDispatcher()
        } throws: { error in
            "\(error)".contains("alerts.webhook.url_env: the webhook URL it gives is not an http or https URL") && !"\(error)".contains("secret-part")
        }
    }
}
