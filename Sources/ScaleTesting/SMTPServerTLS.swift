import Foundation

/// A real SMTP server (aiosmtpd) on loopback speaking STARTTLS or TLS from the first byte (smtps), with
/// a certificate for 127.0.0.1 issued by a certificate authority made when it starts (trustme). The
/// server binds its own port and reports it, so the port is never picked and bound twice.
public struct SMTPServerTLS: Sendable {
    public enum Mode: String, Sendable {
        /// No TLS offered at all.
        case none
        /// STARTTLS offered (RFC 3207).
        case starttls
        /// TLS from the first byte (RFC 8314).
        case smtps
    }

    public let server: PortReportingServer
    public let inbox: RecordingDirectory
    public let mode: Mode
    /// The test CA's certificate (PEM), for `ca_file`; absent when `mode` is `.none`.
    public let caFile: String

    public var port: Int { server.port }
    /// `smtps://127.0.0.1:PORT` in smtps mode, `smtp://127.0.0.1:PORT` otherwise.
    public var url: String { "\(mode == .smtps ? "smtps" : "smtp")://127.0.0.1:\(server.port)" }

    /// - Parameter requireStartTLS: the server refuses everything but EHLO, STARTTLS and QUIT before STARTTLS.
    /// - Parameters user, password: require AUTH (over TLS only, when TLS is on).
    public static func start(
        in directory: TemporaryDirectory, mode: Mode, requireStartTLS: Bool = false, user: String? = nil, password: String? = nil
    ) async throws -> SMTPServerTLS {
        let tag = UUID().uuidString.prefix(6)
        let inbox = directory.file("inbox-\(tag)")
        let caFile = directory.file("ca-\(tag).pem")
        var arguments = ["--dir", inbox, "--tls", mode.rawValue, "--ca-out", caFile]
        if requireStartTLS { arguments.append("--require-starttls") }
        if let user, let password { arguments += ["--user", user, "--password", password] }
        let server = try await PortReportingServer.fake("smtp_server.py", arguments)
        return SMTPServerTLS(server: server, inbox: RecordingDirectory(path: inbox), mode: mode, caFile: caFile)
    }

    /// Runs `body` with a server in a directory of its own, then stops the server and removes the
    /// directory, whether `body` returned or threw.
    public static func with(
        _ mode: Mode, requireStartTLS: Bool = false, user: String? = nil, password: String? = nil,
        _ body: (SMTPServerTLS) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory("scalectl-smtp")
        let server: SMTPServerTLS
        do {
            server = try await start(in: directory, mode: mode, requireStartTLS: requireStartTLS, user: user, password: password)
        } catch {
            directory.remove()
            throw error
        }
        do {
            try await body(server)
        } catch {
            await server.stop()
            directory.remove()
            throw error
        }
        await server.stop()
        directory.remove()
    }

    public func messages() throws -> [[String: Any]] { try inbox.records() }

    /// Each AUTH attempt the server saw, as "LOGIN ok" or "LOGIN refused".
    public func authAttempts() -> [String] {
        ((try? String(contentsOfFile: "\(inbox.path)/auth.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() async { await server.stop() }
}
