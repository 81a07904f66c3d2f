import Crypto
import Foundation
import ScaleAlerts
import ScaleCore
import ScaleTesting
import Testing

/// Webhooks posted to a real HTTP receiver on loopback.
@Suite(.serialized, .awaitsCleanup)
struct WebhookTests {
    @Test func aSignedJSONDocumentWithEveryField() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let receiver = try await FakeWebhookReceiver.start(in: directory)
        atEnd { await receiver.stop() }
        let key = "whsec-\(UUID().uuidString)"
        let clock = ManualClock()
        let channel = WebhookChannel(
            settings: WebhookSettings(name: "webhook", url: Secret(receiver.url("/hooks/T000/B000/xyz")), format: .json, signingKey: Secret(key)),
            clock: clock)
        let alert = Fixture.failure()

        try await channel.deliver(alert)

        let request = try #require(try receiver.received().first)
        #expect(request["method"] as? String == "POST")
        let headers = try #require(request["headers"] as? [String: String])
        #expect(headers["content-type"]?.hasPrefix("application/json") == true)
        let timestamp = try #require(headers["x-scalectl-timestamp"])
        #expect(timestamp == String(Int(clock.now().timeIntervalSince1970)))
        let signature = try #require(headers["x-scalectl-signature"])
        #expect(signature.hasPrefix("sha256="))
        let body = try #require(request["body"] as? String)
        let mac = try #require(Data(hexString: String(signature.dropFirst("sha256=".count))))
        #expect(HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(key.utf8))),
            "the signature verifies as the README tells receivers to verify it")
        #expect(!HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data("\(timestamp).\(body) ".utf8), using: SymmetricKey(data: Data(key.utf8))))

        let json = try #require(request["json"] as? [String: Any])
        for key in ["version", "kind", "fleet", "command", "title", "text", "event", "step", "role", "nodes", "details", "provider_error", "action", "commands", "problem_key", "at"] {
            #expect(json.keys.contains(key), "the document has \(key)")
        }
        #expect(json["kind"] as? String == "failure")
        #expect(json["fleet"] as? String == "t")
        #expect(json["title"] as? String == alert.title)
        #expect(json["step"] as? String == "create")
        #expect(json["role"] as? String == "frontal")
        #expect(json["at"] as? String == "2026-11-23T19:22:00Z")
        #expect((json["event"] as? [String: Any])?["start"] as? String == "2026-11-23T20:00:00Z")
        #expect((json["event"] as? [String: Any])?["name"] as? String == "Gala ñandú")
        let provider = try #require(json["provider_error"] as? [String: Any])
        #expect(provider["request_id"] as? String == "sim-1a2b3c4d")
        #expect(provider["status"] as? Int == 412)
        let node = try #require((json["nodes"] as? [[String: Any]])?.first)
        #expect(node["name"] as? String == "t-frontal-1-1" && node["address"] as? String == "10.0.0.7")
        #expect((json["commands"] as? [String])?.contains("scalectl status") == true)
        #expect(!body.contains(key), "the signing key is not in the body")
    }

    @Test func theSignatureMatchesAKnownVector() {
        // Computed independently: python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec-test", b"1795000000.{\"hello\":\"world\"}", hashlib.sha256).hexdigest())'
        let signature = WebhookSignature.signature(body: Data("{\"hello\":\"world\"}".utf8), timestamp: "1795000000", key: Secret("whsec-test"))
        #expect(signature == "4185f3dc956510695422e66368713023965e535bd41b918fe1af06205451276e")
        let headers = WebhookSignature.headers(body: Data("{\"hello\":\"world\"}".utf8), key: Secret("whsec-test"), date: Date(timeIntervalSince1970: 1_795_000_000.6))
        #expect(headers["X-Scalectl-Timestamp"] == "1795000000")
        #expect(headers["X-Scalectl-Signature"] == "sha256=" + signature)
    }

    @Test func aSlackMessageHasTextAndBlocks() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let receiver = try await FakeWebhookReceiver.start(in: directory)
        atEnd { await receiver.stop() }
        let channel = WebhookChannel(settings: WebhookSettings(name: "webhook.slack", url: Secret(receiver.url()), format: .slack))
        let alert = Fixture.failure()

        try await channel.deliver(alert)

        let request = try #require(try receiver.received().first)
        let headers = try #require(request["headers"] as? [String: String])
        #expect(headers["x-scalectl-signature"] == nil, "unsigned without a key")
        let json = try #require(request["json"] as? [String: Any])
        #expect((json["text"] as? String)?.contains(alert.title) == true)
        let blocks = try #require(json["blocks"] as? [[String: Any]])
        #expect(blocks.first?["type"] as? String == "header")
        #expect(((blocks.first?["text"] as? [String: Any])?["text"] as? String)?.hasPrefix("Gala ñandú 2026-11-23 21:00 +01:00") == true)
        let section = try #require(blocks.first { $0["type"] as? String == "section" }?["text"] as? [String: Any])
        #expect(section["type"] as? String == "mrkdwn")
        #expect((section["text"] as? String)?.contains("Step: create (role frontal)") == true)
        #expect((section["text"] as? String)?.contains("[request id sim-1a2b3c4d]") == true)
    }

    @Test(arguments: [(500, true), (429, true), (404, false)])
    func aFailingAnswerSaysTheStatusAndWhetherToRetry(status: Int, retryable: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let receiver = try await FakeWebhookReceiver.start(in: directory)
        atEnd { await receiver.stop() }
        let channel = WebhookChannel(settings: WebhookSettings(name: "webhook", url: Secret(receiver.url("/status/\(status)/secret-path")), format: .json))
        let error = await #expect(throws: AlertDeliveryError.self) { try await channel.deliver(Fixture.failure()) }
        #expect(error?.retryable == retryable)
        #expect(error?.problem.contains("answered HTTP \(status)") == true, "\(String(describing: error))")
        #expect(error?.problem.contains("secret-path") == false, "the URL's path, which may be the credential, is never shown")
    }
}

extension Data {
    init?(hexString: String) {
        var bytes: [UInt8] = []
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2, limitedBy: hexString.endIndex) ?? hexString.endIndex
            guard let byte = UInt8(hexString[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
