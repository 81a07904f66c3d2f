import Foundation
import ScaleAlerts
import ScaleCore
import ScaleTesting
import Testing

/// Mail over TLS through libcurl to aiosmtpd with a certificate from a CA made for the test: STARTTLS
/// when offered, TLS from the first byte with `smtps://`, `require_tls`, and `ca_file` as the only trust.
@Suite(.serialized)
struct EmailTLSTests {
    static func settings(_ url: String, caFile: String?, requireTLS: Bool = false) -> SMTPSettings {
        SMTPSettings(
            server: URL(string: url)!, from: "scalectl@example.org", to: ["oncall@example.org"],
            username: Secret("alice"), password: Secret("pw-Tls-Secret-3"), requireTLS: requireTLS, caFile: caFile,
            connectTimeout: .seconds(5), timeout: .seconds(20))
    }

    static let message = MailMessage(from: "scalectl@example.org", to: ["oncall@example.org"], subject: "tls", body: "over TLS", date: Date())

    static func with(
        _ mode: SMTPServerTLS.Mode, requireStartTLS: Bool = false, _ body: (SMTPServerTLS) async throws -> Void
    ) async throws {
        try await SMTPServerTLS.with(mode, requireStartTLS: requireStartTLS, user: "alice", password: "pw-Tls-Secret-3", body)
    }

    @Test func startTLSIsUsedWhenOfferedWithTheConfiguredCA() async throws {
        try await Self.with(.starttls, requireStartTLS: true) { (server: SMTPServerTLS) async throws in
            try await SMTPClient(settings: Self.settings(server.url, caFile: server.caFile)).send(Self.message)
            let received = try #require(try server.messages().first)
            #expect(received["tls"] as? Bool == true, "the message came over the upgraded connection")
            #expect(received["login"] as? String == "alice")
            #expect(server.authAttempts() == ["alice ok"])
        }
    }

    @Test func theCertificateIsCheckedAgainstTheCA() async throws {
        try await Self.with(.starttls, requireStartTLS: true) { (server: SMTPServerTLS) async throws in
            // The system's authorities do not know the test CA: the handshake must fail, not go on in clear.
            let error = await #expect(throws: SMTPError.self) {
                try await SMTPClient(settings: Self.settings(server.url, caFile: nil)).send(Self.message)
            }
            #expect(error?.kind == .tls, "\(String(describing: error))")
            #expect(error?.retryable == false)
            #expect(try server.messages().isEmpty)
            #expect(server.authAttempts().isEmpty, "no password went to an unverified server")
        }
    }

    @Test func smtpsSpeaksTLSFromTheFirstByte() async throws {
        try await Self.with(.smtps) { (server: SMTPServerTLS) async throws in
            #expect(server.url.hasPrefix("smtps://"))
            try await SMTPClient(settings: Self.settings(server.url, caFile: server.caFile)).send(Self.message)
            let received = try #require(try server.messages().first)
            #expect(received["tls"] as? Bool == true)
            #expect(server.authAttempts() == ["alice ok"])
        }
    }

    @Test func requireTLSRefusesAServerWithoutSTARTTLSBeforeTheLogin() async throws {
        try await Self.with(.none) { (server: SMTPServerTLS) async throws in
            let error = await #expect(throws: SMTPError.self) {
                try await SMTPClient(settings: Self.settings(server.url, caFile: nil, requireTLS: true)).send(Self.message)
            }
            #expect(error?.kind == .tls, "\(String(describing: error))")
            #expect(error?.description.contains("no secure connection to \(server.url)") == true, "\(String(describing: error))")
            #expect(server.authAttempts().isEmpty, "the password was not sent in clear")
            #expect(try server.messages().isEmpty)

            // The same server and login without require_tls: the login is seen, so the check above can fail.
            try await SMTPClient(settings: Self.settings(server.url, caFile: nil)).send(Self.message)
            #expect(server.authAttempts() == ["alice ok"])
            #expect(try server.messages().first?["tls"] as? Bool == false)
        }
    }
}
