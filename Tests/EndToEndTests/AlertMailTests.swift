import Foundation
import ScaleTesting
import Testing

/// Alert mail from the real executable over STARTTLS, trusting only the configured `ca_file`, with
/// `require_tls`; every header a mail filter or reader relies on is checked as Python's mail parser reads it.
@Suite(.serialized)
struct AlertMailTests {
    static func fleet(_ server: SMTPServerTLS, caFile: String?) throws -> TestFleet {
        try TestFleet(frontal: 1, celery: 0, extraRoles: """

            [alerts.email]
            smtp = "\(server.url)"
            from = "scalectl@example.org"
            to = ["oncall@example.org", "lead@example.org"]
            user_env = "SMTP_USER"
            password_env = "SMTP_PASSWORD"
            require_tls = true
            \(caFile.map { "ca_file = \"\($0)\"" } ?? "")
            """)
    }

    static let environment = ["SMTP_USER": "alice", "SMTP_PASSWORD": "pw-Mail-Secret-5"]

    @Test func aTestAlertGoesOverSTARTTLSWithEveryHeader() async throws {
        try await SMTPServerTLS.with(.starttls, requireStartTLS: true, user: "alice", password: "pw-Mail-Secret-5") { (server: SMTPServerTLS) async throws in
            let fleet = try Self.fleet(server, caFile: server.caFile)
            defer { fleet.directory.remove() }
            let sent = try await fleet.run("alert", "test", "--at", "2026-11-23T20:22", environment: Self.environment)
            #expect(sent.status == 0, "\(sent)")
            #expect(sent.stdout.contains("email (\(server.url), 2 recipients): delivered"), "\(sent.stdout)")

            let message = try #require(try server.messages().first)
            #expect(message["tls"] as? Bool == true)
            #expect(message["login"] as? String == "alice")
            #expect(message["mail_from"] as? String == "scalectl@example.org")
            #expect(message["rcpt_tos"] as? [String] == ["oncall@example.org", "lead@example.org"])
            let headers = try #require(message["headers"] as? [String: String])
            #expect(headers["From"] == "scalectl@example.org")
            #expect(headers["To"] == "oncall@example.org, lead@example.org")
            #expect(headers["Subject"]?.contains("test alert from scalectl") == true, "\(headers)")
            // The mail is dated when it is sent (not at the rehearsed --at), in RFC 5322 form and UTC.
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
            let date = try #require(headers["Date"].flatMap(format.date(from:)), "\(String(describing: headers["Date"]))")
            #expect(headers["Date"]?.hasSuffix(" +0000") == true)
            #expect(abs(date.timeIntervalSinceNow) < 600, "\(date)")
            let messageID = try #require(headers["Message-ID"])
            #expect(messageID.range(of: "^<[0-9a-f-]{36}@example\\.org>$", options: .regularExpression) != nil, "\(messageID)")
            #expect(headers["MIME-Version"] == "1.0")
            #expect(headers["Content-Type"] == "text/plain; charset=\"utf-8\"" || headers["Content-Type"] == "text/plain; charset=utf-8", "\(headers)")
            #expect(headers["Content-Transfer-Encoding"] == "quoted-printable")
            #expect(headers["Auto-Submitted"] == "auto-generated")
            #expect(headers["X-Scalectl-Kind"] == "test")
            let raw = try #require(message["raw"] as? String)
            #expect(!raw.contains("pw-Mail-Secret-5"))

            // The same server without ca_file: the system's authorities do not know the test CA.
            let untrusted = try Self.fleet(server, caFile: nil)
            defer { untrusted.directory.remove() }
            let refused = try await untrusted.run("alert", "test", environment: Self.environment)
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stderr.contains("email (\(server.url), 2 recipients): FAILED: no secure connection to \(server.url)"), "\(refused.stderr)")
            #expect(try server.messages().count == 1)
            #expect(server.authAttempts() == ["alice ok"], "the password went only over the verified connection")
        }
    }
}
