import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// The HTTP client against a server that drops an answer (`Tests/Fakes/dropping_server.py`).
@Suite(.serialized)
struct HTTPRetransmissionTests {
    /// A POST whose reused connection dies before the answer. libcurl used to re-send it on a new
    /// connection by itself, with its `Content-Length: 624` and no body (FoundationNetworking cannot
    /// rewind a `Data` body), and the server waited for the body until the timeout. Now the transport
    /// never re-sends a body on its own: the lost answer surfaces at once, and the request sent again
    /// (by ``ProviderCalls``, after looking when it is a mutation) carries its body.
    @Test func aLostAnswerToAPostSurfacesAtOnceAndASecondSendCarriesTheBody() async throws {
        let server = try await PortReportingServer.fake("dropping_server.py", [])
        let http = HTTPClient()
        let base = "http://127.0.0.1:\(server.port)"
        let first = try await http.send(HTTPRequest(url: URL(string: "\(base)/warm")!, timeout: .seconds(10)))
        #expect(first.status == 200)
        let body = Data(repeating: UInt8(ascii: "x"), count: 624)
        let post = HTTPRequest(
            method: "POST", url: URL(string: "\(base)/echo")!, headers: ["Content-Type": "application/json"], body: body,
            timeout: .seconds(10), firstByteTimeout: .seconds(5))
        let started = ContinuousClock.now
        let lost = await #expect(throws: HTTPError.self) { try await http.send(post) }
        #expect(lost?.code == "unreachable", "the lost answer is reported as such: \(String(describing: lost))")
        #expect(ContinuousClock.now - started < .seconds(4), "no stall waiting for a body that never comes")
        let again = try await http.send(post)
        #expect(String(decoding: again.body, as: UTF8.self).contains("\"received\": 624"))
        let log = try JSONSerialization.jsonObject(with: try await http.send(HTTPRequest(url: URL(string: "\(base)/__log")!)).body) as? [String: Any]
        let posts = (log?["requests"] as? [[String: Any]] ?? []).filter { $0["method"] as? String == "POST" }
        #expect(posts.count == 2, "the dropped POST and the one sent again, no silent re-send: \(posts)")
        #expect(posts.allSatisfy { $0["received"] as? Int == 624 }, "each carried its 624 bytes: \(posts)")
        await server.stop()
    }

    /// A server that takes the request and stays silent is given up on after the first-byte bound, not
    /// the whole request's.
    @Test func silenceBeforeTheFirstByteIsBoundedOnItsOwn() async throws {
        let listener = try SilentListener()
        let http = HTTPClient()
        let started = ContinuousClock.now
        let error = await #expect(throws: HTTPError.self) {
            try await http.send(HTTPRequest(
                method: "POST", url: URL(string: "http://127.0.0.1:\(listener.port)/")!, body: Data("{}".utf8),
                timeout: .seconds(30), firstByteTimeout: .milliseconds(700)))
        }
        #expect(error == .timeout(target: "http://127.0.0.1:\(listener.port)", after: .milliseconds(700)))
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}

