import Foundation
import ScaleSigV4
import Testing

/// One case of AWS's Signature Version 4 test suite: the request, and the canonical request and
/// `Authorization` header AWS published for it.
struct SuiteCase: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    /// Path as written in the request line (decoded).
    var path: String
    /// Query as sent on the wire (percent-encoded where the request line has non-ASCII characters).
    var query: String?
    var headers: [String: String]
    var body: String = ""
    var canonicalRequest: String
    var stringToSignHash: String
    var signature: String

    var testDescription: String { name }

    var url: URL {
        var components = URLComponents()
        components.scheme = "https"
        components.host = "example.amazonaws.com"
        components.path = path
        components.percentEncodedQuery = query
        return components.url!
    }

    var request: SigV4Signer.Request {
        SigV4Signer.Request(method: method, url: url, headers: headers, body: Data(body.utf8))
    }
}

/// Transcribed from AWS's Signature Version 4 test suite (the `aws4_testsuite` cases: `.req`, `.creq`,
/// `.sts`, `.authz` of each), as published by AWS at
/// https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html and carried in botocore's
/// tests/unit/auth/aws4_testsuite. Every case uses the suite's sample credentials AKIDEXAMPLE /
/// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, the instant 20150830T123600Z, region us-east-1 and service
/// `service`.
enum SuiteVectors {
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    static let credentials = SigV4Signer.Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let plain = ["Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"]
    static let plainHeaders = "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"

    /// The suite's session token of post-sts-header-before.
    static let stsToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    static let cases: [SuiteCase] = [
        SuiteCase(
            name: "get-vanilla", method: "GET", path: "/", headers: plain,
            canonicalRequest: "GET\n/\n\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            name: "get-vanilla-query-order-key-case", method: "GET", path: "/", query: "Param2=value2&Param1=value1", headers: plain,
            canonicalRequest: "GET\n/\nParam1=value1&Param2=value2\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SuiteCase(
            name: "get-vanilla-query-order-value", method: "GET", path: "/", query: "Param1=value2&Param1=value1", headers: plain,
            canonicalRequest: "GET\n/\nParam1=value1&Param1=value2\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606",
            signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        SuiteCase(
            name: "get-vanilla-query-order-encoded", method: "GET", path: "/", query: "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
            headers: plain,
            canonicalRequest: "GET\n/\n%E1%88%B4=Value1&Param=Value2&Param-3=Value3\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "868294f5c38bd141c4972a373a76654f1418a8e4fc18b2e7903ae45e8ae0ec71",
            signature: "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
        SuiteCase(
            name: "get-vanilla-query-unreserved", method: "GET", path: "/",
            query: "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            headers: plain,
            canonicalRequest: "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
            signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        SuiteCase(
            name: "get-vanilla-utf8-query", method: "GET", path: "/", query: "%E1%88%B4=bar", headers: plain,  // ሴ=bar, as sent
            canonicalRequest: "GET\n/\n%E1%88%B4=bar\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
            signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        SuiteCase(
            name: "get-utf8", method: "GET", path: "/\u{1234}", headers: plain,
            canonicalRequest: "GET\n/%E1%88%B4\n\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
            signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        SuiteCase(
            name: "get-unreserved", method: "GET", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", headers: plain,
            canonicalRequest: "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
            signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        SuiteCase(
            name: "get-header-value-trim", method: "GET", path: "/",
            headers: plain.merging(["My-Header1": " value1", "My-Header2": " \"a   b   c\""]) { $1 },
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n\(emptyHash)",
            stringToSignHash: "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        SuiteCase(
            name: "post-vanilla", method: "POST", path: "/", headers: plain,
            canonicalRequest: "POST\n/\n\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SuiteCase(
            name: "post-vanilla-query", method: "POST", path: "/", query: "Param1=value1", headers: plain,
            canonicalRequest: "POST\n/\nParam1=value1\n\(plainHeaders)\nhost;x-amz-date\n\(emptyHash)",
            stringToSignHash: "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd",
            signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        SuiteCase(
            name: "post-header-key-sort", method: "POST", path: "/", headers: plain.merging(["My-Header1": "value1"]) { $1 },
            canonicalRequest: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n\(emptyHash)",
            stringToSignHash: "9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65",
            signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        SuiteCase(
            name: "post-x-www-form-urlencoded", method: "POST", path: "/",
            headers: plain.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 }, body: "Param1=value1",
            canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n\(plainHeaders)\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            stringToSignHash: "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        SuiteCase(
            name: "post-x-www-form-urlencoded-parameters", method: "POST", path: "/",
            headers: plain.merging(["Content-Type": "application/x-www-form-urlencoded; charset=utf8"]) { $1 }, body: "Param1=value1",
            canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf8\n\(plainHeaders)\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            stringToSignHash: "2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c",
            signature: "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
        SuiteCase(
            name: "post-sts-header-before", method: "POST", path: "/", headers: plain.merging(["X-Amz-Security-Token": stsToken]) { $1 },
            canonicalRequest: "POST\n/\n\n\(plainHeaders)x-amz-security-token:\(stsToken)\n\nhost;x-amz-date;x-amz-security-token\n\(emptyHash)",
            stringToSignHash: "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
            signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
    ]
}
