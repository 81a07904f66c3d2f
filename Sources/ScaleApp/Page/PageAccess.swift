import Crypto
import Foundation
import ScaleCore

/// Who may read the daemon's HTTP address: anyone when no token is configured (loopback only, the
/// configuration refuses another address without one), else a request with `Authorization: Bearer
/// TOKEN` or the session cookie the login form sets. Comparisons take the same time whatever the input.
struct PageAccess: Sendable {
    /// Nil: open.
    let token: Secret?

    static let cookieName = "scalectl_session"

    /// The cookie's value: an HMAC of a fixed text under the token, so the token itself never sits in
    /// the browser, and changing the token ends every session.
    var session: String? {
        token.map { token in
            let key = SymmetricKey(data: Data(token.reveal().utf8))
            return Data(HMAC<SHA256>.authenticationCode(for: Data("scalectl page session".utf8), using: key)).base64EncodedString()
        }
    }

    /// - Parameters:
    ///   - authorization: the `Authorization` header.
    ///   - cookies: the `Cookie` headers.
    func allows(authorization: String?, cookies: [String]) -> Bool {
        guard let token, let session else { return true }
        if let authorization, authorization.hasPrefix("Bearer "), Self.same(String(authorization.dropFirst(7)), token.reveal()) {
            return true
        }
        return cookies.flatMap { $0.split(separator: ";") }.contains { pair in
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 && parts[0] == Self.cookieName && Self.same(parts[1], session)
        }
    }

    /// Whether the login form's `token` field is the token.
    func accepts(form body: Data) -> Bool {
        guard let token, let text = String(data: body, encoding: .utf8) else { return false }
        var components = URLComponents()
        components.percentEncodedQuery = text.replacingOccurrences(of: "+", with: "%20")
        let given = components.queryItems?.first { $0.name == "token" }?.value ?? ""
        return Self.same(given, token.reveal())
    }

    /// Equal texts, compared in constant time (on their SHA-256 digests, so lengths leak nothing either).
    static func same(_ given: String, _ expected: String) -> Bool {
        let a = Array(SHA256.hash(data: Data(given.utf8))), b = Array(SHA256.hash(data: Data(expected.utf8)))
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
