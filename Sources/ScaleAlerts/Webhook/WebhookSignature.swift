import Crypto
import Foundation
import ScaleCore

/// Signs webhook bodies so receivers can check they come from this controller and are fresh:
/// `X-Scalectl-Timestamp: <unix seconds>` and
/// `X-Scalectl-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the shared secret>`.
public enum WebhookSignature {
    public static let timestampHeader = "X-Scalectl-Timestamp"
    public static let signatureHeader = "X-Scalectl-Signature"

    /// The two headers for `body` sent at `date`.
    public static func headers(body: Data, key: Secret, date: Date) -> [String: String] {
        let timestamp = String(Int64(date.timeIntervalSince1970.rounded(.down)))
        return [timestampHeader: timestamp, signatureHeader: "sha256=" + signature(body: body, timestamp: timestamp, key: key)]
    }

    /// The lowercase hex HMAC-SHA256 of `timestamp + "." + body`.
    public static func signature(body: Data, timestamp: String, key: Secret) -> String {
        var signed = Data(timestamp.utf8)
        signed.append(UInt8(ascii: "."))
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(key.reveal().utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
