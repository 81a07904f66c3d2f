import Foundation
import ScaleSigV4
import Testing

struct SigV4SignerTests {
    @Test(arguments: SuiteVectors.cases)
    func matchesAWSTestSuite(_ suite: SuiteCase) {
        let signer = SuiteVectors.signer
        let date = SuiteVectors.date
        let canonical = SigV4Signer.canonicalRequest(suite.request)
        #expect(canonical == suite.canonicalRequest)
        let toSign = signer.stringToSign(canonicalRequest: canonical, at: date)
        #expect(toSign == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\(suite.stringToSignHash)")
        let signedHeaders = suite.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false).dropLast().last ?? ""
        #expect(
            signer.authorization(for: suite.request, at: date)
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(suite.signature)")
    }

    /// get-vanilla-with-session-token from the suite: `sign` adds `X-Amz-Security-Token` and signs it.
    @Test func sessionTokenIsAddedAndSigned() {
        let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let signer = SigV4Signer(
            credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: token),
            region: "us-east-1", service: "service")
        let request = SigV4Signer.Request(method: "GET", url: URL(string: "https://example.amazonaws.com/")!)
        let headers = signer.sign(request, at: SuiteVectors.date)
        #expect(headers["Host"] == "example.amazonaws.com")
        #expect(headers["X-Amz-Date"] == "20150830T123600Z")
        #expect(headers["X-Amz-Security-Token"] == token)
        #expect(
            headers["Authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
    }

    /// The worked example of AWS's "Signature Version 4 signing process" pages (Tasks 1-3: IAM
    /// ListUsers, service `iam`, 20150830T123600Z): the canonical request's hash, the derived signing
    /// key and the signature they publish.
    @Test func matchesTheDocumentationExample() {
        let signer = SigV4Signer(credentials: SuiteVectors.credentials, region: "us-east-1", service: "iam")
        let request = SigV4Signer.Request(
            method: "GET", url: URL(string: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")!,
            headers: [
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": "iam.amazonaws.com",
                "X-Amz-Date": "20150830T123600Z",
            ])
        let canonical = SigV4Signer.canonicalRequest(request)
        #expect(SigV4Signer.sha256Hex(Data(canonical.utf8)) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        let key = signer.signingKey(at: SuiteVectors.date)
        #expect(key.map { String(format: "%02x", $0) }.joined() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        #expect(signer.authorization(for: request, at: SuiteVectors.date).hasSuffix("Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"))
    }

    @Test func hostHeaderKeepsOnlyANonDefaultPort() {
        #expect(SigV4Signer.hostHeader(of: URL(string: "http://127.0.0.1:5123/")!) == "127.0.0.1:5123")
        #expect(SigV4Signer.hostHeader(of: URL(string: "https://ec2.eu-west-1.amazonaws.com:443/")!) == "ec2.eu-west-1.amazonaws.com")
        #expect(SigV4Signer.hostHeader(of: URL(string: "http://localhost:80/")!) == "localhost")
    }

    @Test func encodingKeepsOnlyUnreservedCharacters() {
        #expect(SigV4Signer.encode("a b+c/d=é~") == "a%20b%2Bc%2Fd%3D%C3%A9~")
        #expect(SigV4Signer.encode("/a b/c", keepingSlash: true) == "/a%20b/c")
    }

    @Test func credentialsNeverPrint() {
        let credentials = SigV4Signer.Credentials(accessKeyID: "AKID", secretAccessKey: "SECRET-VALUE", sessionToken: "TOKEN-VALUE")
        let signer = SigV4Signer(credentials: credentials, region: "r", service: "s")
        for text in ["\(credentials)", String(reflecting: credentials), "\(signer)", String(reflecting: signer), String(describing: Mirror(reflecting: signer).children.map(\.value))] {
            #expect(!text.contains("SECRET-VALUE") && !text.contains("TOKEN-VALUE"), "\(text)")
        }
    }
}
