import Foundation
import ScaleCore

/// A fake cloud API of `Tests/Fakes` (`hetzner_fake.py`, `digitalocean_fake.py`) on a free loopback port,
/// with the test-only paths they share: seeding, fault injection, state and the record of every API request.
public struct FakeCloudAPI: Sendable {
    public let server: PortReportingServer
    public let http = HTTPClient()

    /// Starts `script` with `--token token`.
    public static func start(_ script: String, token: String) async throws -> FakeCloudAPI {
        FakeCloudAPI(server: try await .fake(script, ["--token", token]))
    }

    public var base: String { "http://127.0.0.1:\(server.port)" }

    public func stop() async { await server.stop() }

    @discardableResult
    public func seed(_ body: [String: Any]) async throws -> [String: Any] { try await post("/__seed", body) }

    public func faults(_ body: [String: Any]) async throws { _ = try await post("/__faults", body) }

    /// Every API request so far, in order.
    public func requests() async throws -> [RecordedRequest] {
        let answer = try await get("/__requests")
        return (answer["requests"] as? [[String: Any]] ?? []).map(RecordedRequest.init)
    }

    public func state() async throws -> [String: Any] { try await get("/__state") }

    public func get(_ path: String) async throws -> [String: Any] {
        try Self.object(try await http.send(HTTPRequest(url: URL(string: base + path)!)))
    }

    public func post(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
        let request = HTTPRequest(
            method: "POST", url: URL(string: base + path)!, headers: ["Content-Type": "application/json"],
            body: try JSONSerialization.data(withJSONObject: body))
        return try Self.object(try await http.send(request))
    }

    private static func object(_ response: HTTPResponse) throws -> [String: Any] {
        guard response.isSuccess, let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw FakeError(description: "the fake answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return object
    }
}

/// One request a fake API received.
public struct RecordedRequest: CustomStringConvertible, Sendable {
    public var method: String
    public var path: String
    public var query: [String: [String]]
    /// The JSON body, as text (parse with ``json``).
    public var bodyText: String?
    public var auth: String
    /// The status answered; 0 for a lost answer.
    public var status: Int
    /// The id the fake answered with (Hetzner's `X-Correlation-Id`, DigitalOcean's `x-request-id`).
    public var correlationID: String

    init(_ json: [String: Any]) {
        method = json["method"] as? String ?? ""
        path = json["path"] as? String ?? ""
        query = json["query"] as? [String: [String]] ?? [:]
        bodyText = (json["body"] as? [String: Any]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { String(decoding: $0, as: UTF8.self) }
        auth = json["auth"] as? String ?? ""
        status = json["status"] as? Int ?? 0
        correlationID = json["correlation_id"] as? String ?? json["request_id"] as? String ?? ""
    }

    /// The JSON body as an object, or nil.
    public var body: [String: Any]? {
        bodyText.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    public var description: String { "\(method) \(path) \(query) -> \(status)" }

    public func `is`(_ method: String, _ path: String) -> Bool { self.method == method && self.path == path }
    public func `is`(_ method: String, matching pattern: String) -> Bool {
        self.method == method && path.range(of: "^\(pattern)$", options: .regularExpression) != nil
    }
}

extension [RecordedRequest] {
    public func count(_ method: String, _ path: String) -> Int { filter { $0.is(method, path) }.count }
}

public struct FakeError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
