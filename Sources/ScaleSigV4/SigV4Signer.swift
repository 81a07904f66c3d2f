import Crypto
import Foundation

/// AWS Signature Version 4 for header-signed requests (`Authorization: AWS4-HMAC-SHA256 ...`).
///
/// The date is a parameter of every signing call, so tests sign at a fixed instant and callers decide
/// which clock to use (AWS refuses signatures more than 15 minutes off the real time, so a caller
/// rehearsing another instant must still sign with the wall clock).
public struct SigV4Signer: Sendable {
    /// The signing credentials. They print as `<redacted>`; only the access key id shows, in
    /// the `Authorization` header, as AWS requires.
    public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public let accessKeyID: String
        let secretAccessKey: String
        let sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        public var description: String { "<redacted>" }
        public var debugDescription: String { "<redacted>" }
        public var customMirror: Mirror { Mirror(self, children: []) }
    }

    /// A request to sign: its method, URL, headers (any case) and body.
    public struct Request: Sendable {
        public var method: String
        public var url: URL
        public var headers: [String: String]
        public var body: Data

        public init(method: String, url: URL, headers: [String: String] = [:], body: Data = Data()) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    public static let algorithm = "AWS4-HMAC-SHA256"

    public let credentials: Credentials
    /// `us-east-1`.
    public let region: String
    /// The signing name of the service: `ec2`, `elasticloadbalancing`.
    public let service: String

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to send: the request's own, plus `Host` when absent, `X-Amz-Date`,
    /// `X-Amz-Security-Token` when there is a session token, and `Authorization`.
    public func sign(_ request: Request, at date: Date) -> [String: String] {
        let prepared = prepare(request, at: date)
        var headers = prepared.headers
        headers["Authorization"] = authorization(for: prepared, at: date)
        return headers
    }

    /// The request with the headers signing adds (all but `Authorization`).
    public func prepare(_ request: Request, at date: Date) -> Request {
        var prepared = request
        if !prepared.headers.keys.contains(where: { $0.lowercased() == "host" }) {
            prepared.headers["Host"] = Self.hostHeader(of: request.url)
        }
        prepared.headers["X-Amz-Date"] = Self.timestamp(date)
        if let token = credentials.sessionToken { prepared.headers["X-Amz-Security-Token"] = token }
        return prepared
    }

    /// The `Authorization` header value for a request already holding its `Host`, `X-Amz-Date` and
    /// (when used) `X-Amz-Security-Token` headers: every header of the request is signed.
    public func authorization(for request: Request, at date: Date) -> String {
        let canonical = Self.canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical, at: date)
        let key = SymmetricKey(data: signingKey(at: date))
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: key))
        return "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(at: date)), "
            + "SignedHeaders=\(Self.signedHeaders(request.headers)), Signature=\(signature)"
    }

    /// `20150830/us-east-1/service/aws4_request`.
    public func scope(at date: Date) -> String {
        "\(Self.timestamp(date).prefix(8))/\(region)/\(service)/aws4_request"
    }

    public func stringToSign(canonicalRequest: String, at date: Date) -> String {
        [Self.algorithm, Self.timestamp(date), scope(at: date), Self.sha256Hex(Data(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// HMAC chain over the date, region, service and `aws4_request`, keyed by `AWS4` + the secret.
    public func signingKey(at date: Date) -> Data {
        var key = Data("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [String(Self.timestamp(date).prefix(8)), region, service, "aws4_request"] {
            key = Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: SymmetricKey(data: key)))
        }
        return key
    }

    // MARK: Canonical form

    /// Method, canonical URI, canonical query, canonical headers, signed headers and payload hash.
    public static func canonicalRequest(_ request: Request) -> String {
        [
            request.method.uppercased(),
            canonicalURI(request.url),
            canonicalQuery(request.url),
            canonicalHeaders(request.headers),
            signedHeaders(request.headers),
            sha256Hex(request.body),
        ].joined(separator: "\n")
    }

    /// The decoded path with each segment encoded once (`/` when empty).
    static func canonicalURI(_ url: URL) -> String {
        let path = url.path(percentEncoded: false)
        guard !path.isEmpty else { return "/" }
        return encode(path, keepingSlash: true)
    }

    /// Pairs decoded, encoded again strictly, sorted by key then value.
    static func canonicalQuery(_ url: URL) -> String {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery, !query.isEmpty else {
            return ""
        }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (encode(key), encode(value))
        }
        return pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// `name:value\n` per header, names lowercased and sorted, values trimmed with inner runs of spaces
    /// collapsed; then the blank line that ends the block.
    static func canonicalHeaders(_ headers: [String: String]) -> String {
        lowered(headers).map { "\($0.key):\($0.value)\n" }.joined()
    }

    static func signedHeaders(_ headers: [String: String]) -> String {
        lowered(headers).map(\.key).joined(separator: ";")
    }

    private static func lowered(_ headers: [String: String]) -> [(key: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(trimmed)
        }
        return merged.map { (key: $0.key, value: $0.value.joined(separator: ",")) }.sorted { $0.key < $1.key }
    }

    // MARK: Encoding

    /// RFC 3986 encoding as SigV4 wants it: only `A-Z a-z 0-9 - . _ ~` stay, everything else is `%XX`
    /// of its UTF-8 bytes, upper-case hex. Form bodies use the same encoding.
    public static func encode(_ text: String, keepingSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepingSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `example.amazonaws.com`, or `127.0.0.1:5000` when the port is not the scheme's default.
    public static func hostHeader(of url: URL) -> String {
        let host = url.host(percentEncoded: false) ?? ""
        guard let port = url.port else { return host }
        let defaultPort = url.scheme?.lowercased() == "https" ? 443 : 80
        return port == defaultPort ? host : "\(host):\(port)"
    }

    /// `20150830T123600Z`.
    public static func timestamp(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0, parts.second ?? 0)
    }

    public static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func hex(_ code: HashedAuthenticationCode<SHA256>) -> String { hex(Array(code)) }
    static func hex(_ digest: SHA256.Digest) -> String { hex(Array(digest)) }
}
