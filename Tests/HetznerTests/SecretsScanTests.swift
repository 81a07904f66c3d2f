import Foundation
import ScaleTesting
import Testing

/// A full cycle with distinctive secret values: the Hetzner token, the SMTP password, the webhook's
/// signing key and the webhook URL's secret path. Every stdout and stderr (with --verbose logging), every
/// byte the controller stored, and every alert payload the channels received are scanned: none appears.
@Suite(.awaitsCleanup)
struct SecretsScanTests {
    static let smtpPassword = "smtp-PASSWORD-5e1d8a3c"
    static let signingKey = "whsec-SIGNING-9c4f2b71"
    static let hookPath = "/hooks/T0-SECRET-PATH-44aa"

    @Test func noSecretReachesOutputLogsTheDatabaseOrAlerts() async throws {
        let fleet = try await HetznerEndToEndTests.Fleet.start()
        atEnd { await fleet.stop() }
        let smtp = try await FakeSMTPServer.start(in: fleet.directory, user: "oncall-bot", password: Self.smtpPassword)
        let hooks = try await FakeWebhookReceiver.start(in: fleet.directory)
        atEnd { await smtp.stop(); await hooks.stop() }
        let config = try String(contentsOfFile: fleet.config, encoding: .utf8) + """

            [alerts]
            notify_success = true

            [alerts.email]
            smtp = "\(smtp.url)"
            from = "scalectl@example.org"
            to = ["oncall@example.org"]
            user_env = "TEST_SMTP_USER"
            password_env = "TEST_SMTP_PASSWORD"

            [alerts.webhook]
            url_env = "TEST_WEBHOOK_URL"
            format = "json"
            secret_env = "TEST_WEBHOOK_KEY"
            """
        try config.write(toFile: fleet.config, atomically: true, encoding: .utf8)
        let environment = HetznerEndToEndTests.environment.merging([
            "TEST_SMTP_USER": "oncall-bot", "TEST_SMTP_PASSWORD": Self.smtpPassword,
            "TEST_WEBHOOK_URL": hooks.url(Self.hookPath), "TEST_WEBHOOK_KEY": Self.signingKey,
        ]) { $1 }

        // A failing up (one create refused), a succeeding one (resolved), then everything else once.
        try await fleet.fake.faults(["rules": [FakeHetzner.rule("POST", "/v1/servers", status: 412, code: "resource_unavailable", times: 1, name: "t-frontal-1-2")]])
        var results: [CLIResult] = []
        for arguments in [
            ["up", "--verbose", "--at", HetznerEndToEndTests.during],
            ["up", "--verbose", "--at", HetznerEndToEndTests.during],
            ["status", "--verbose", "--json", "--at", HetznerEndToEndTests.during],
            ["history", "--verbose", "--json"],
            ["alert", "test", "--verbose"],
            ["plan", "--verbose", "--at", HetznerEndToEndTests.after],
            ["down", "--verbose", "--at", HetznerEndToEndTests.after],
        ] {
            results.append(try await CLI.run(arguments + ["--config", fleet.config], environment: environment))
        }
        #expect(results.map(\.status) == [1, 0, 0, 0, 0, 0, 0], "\(results)")

        let mails = try smtp.messages()
        let posts = try hooks.received()
        #expect(mails.count >= 3 && posts.count >= 3, "the failure, its resolution and the test reached both channels")
        #expect(posts.allSatisfy { ($0["headers"] as? [String: String])?.keys.contains { $0.lowercased() == "x-scalectl-signature" } == true })

        var haystacks: [(String, String)] = results.enumerated().flatMap { index, result in
            [("stdout of command \(index)", result.stdout), ("stderr of command \(index)", result.stderr)]
        }
        haystacks.append(("the database files", String(decoding: try await fleet.storedBytes(), as: UTF8.self)))
        haystacks += mails.enumerated().map { ("mail \($0.offset)", "\($0.element)") }
        haystacks += posts.enumerated().map { ("webhook body \($0.offset)", ($0.element["body"] as? String) ?? "") }
        let secrets = [
            FakeHetzner.token, Self.smtpPassword, Self.signingKey, "T0-SECRET-PATH-44aa",
            Data("\u{0}oncall-bot\u{0}\(Self.smtpPassword)".utf8).base64EncodedString(),  // SMTP AUTH PLAIN
        ]
        for secret in secrets {
            for (place, text) in haystacks {
                #expect(!text.contains(secret), "a secret appears in \(place)")
            }
        }
        #expect(results[0].stderr.contains("resource_unavailable"), "the scan looked at real alert text")
    }
}
