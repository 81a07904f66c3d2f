import Foundation
import ScaleCore

/// How to reach the mail server and whom to write to.
public struct SMTPSettings: Sendable {
    /// `smtp://host:587` (STARTTLS when the server offers it, or always with ``requireTLS``) or
    /// `smtps://host:465` (TLS from the first byte).
    public var server: URL
    /// The envelope sender and `From:` address.
    public var from: String
    /// The envelope recipients and `To:` addresses.
    public var to: [String]
    public var username: Secret?
    public var password: Secret?
    /// Refuse to send (and so to send the password) over a connection STARTTLS did not protect.
    public var requireTLS: Bool
    /// A PEM file of the certificate authorities to trust for the server's certificate, instead of the
    /// system's (a private mail relay, or a test CA).
    public var caFile: String?
    public var connectTimeout: Duration
    /// The whole conversation, connection included.
    public var timeout: Duration

    public init(
        server: URL, from: String, to: [String], username: Secret? = nil, password: Secret? = nil, requireTLS: Bool = false,
        caFile: String? = nil, connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(30)
    ) {
        self.server = server
        self.from = from
        self.to = to
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// `smtp://mail.example.org:587`: what messages show of the server.
    public var target: String { server.origin }

    /// Whether `address` is a plain ASCII mail address this client will put in an envelope and a header.
    public static func isValidAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f && !"<>()[],;:\\\"".unicodeScalars.contains($0) }
    }
}
