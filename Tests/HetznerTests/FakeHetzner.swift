import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// The fake Hetzner Cloud API (`Tests/Fakes/hetzner_fake.py`) on a free loopback port, with its
/// test-only paths: seeding, fault injection and the record of every API request.
struct FakeHetzner {
    /// A token that must never show up in output, logs, errors or the database.
    static let token = "hz-SECRET-7f3a9c1e5b2d4f60"

    let server: PortReportingServer
    let http = HTTPClient()

    static func start() async throws -> FakeHetzner {
        FakeHetzner(server: try await .fake("hetzner_fake.py", ["--token", token]))
    }

    var endpoint: String { "http://127.0.0.1:\(server.port)/v1" }

    func stop() async { await server.stop() }

    /// Settings pointing at the fake, with fast polls.
    func settings(_ change: (inout HetznerSettings) -> Void = { _ in }) -> HetznerSettings {
        var settings = HetznerSettings(
            endpoint: URL(string: endpoint)!, location: "fsn1", actionPollInterval: .milliseconds(20),
            actionTimeout: .seconds(60), shutdownTimeout: .milliseconds(300), requestTimeout: .seconds(5))
        change(&settings)
        return settings
    }

    func provider(fleet: String = "t", token: String = FakeHetzner.token, _ change: (inout HetznerSettings) -> Void = { _ in }) -> HetznerCloud {
        HetznerCloud(fleet: fleet, settings: settings(change), token: Secret(token), clock: SystemClock(), logger: TestTools.quietLogger)
    }

    // MARK: Test-only paths

    @discardableResult
    func seed(_ body: [String: Any]) async throws -> [String: Any] { try await post("/__seed", body) }

    func faults(_ body: [String: Any]) async throws { _ = try await post("/__faults", body) }

    /// A fault rule: `method path` answers `status` with `code`, `times` times (always when nil).
    static func rule(_ method: String, _ path: String, status: Int, code: String, times: Int? = nil, name: String? = nil, headers: [String: String] = [:]) -> [String: Any] {
        var rule: [String: Any] = ["method": method, "path": path, "status": status, "code": code, "message": "injected \(code)", "headers": headers]
        if let times { rule["times"] = times }
        if let name { rule["name"] = name }
        return rule
    }

    /// Every API request so far, in order.
    func requests() async throws -> [Recorded] {
        let answer = try await get("/__requests")
        return (answer["requests"] as? [[String: Any]] ?? []).map(Recorded.init)
    }

    func state() async throws -> [String: Any] { try await get("/__state") }

    /// The fake's servers: name → status.
    func servers() async throws -> [String: String] {
        let servers = try await state()["servers"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: servers.map { ($0["name"] as? String ?? "", $0["status"] as? String ?? "") })
    }

    /// Snapshots for both test roles, taken at `created`.
    func seedFleetImages(created: String = "2026-11-23T13:00:00+00:00") async throws {
        try await seed(["images": [
            ["description": "frontal-old", "labels": ["role": "frontal"], "created": "2026-11-22T13:00:00+00:00"],
            ["description": "frontal-new", "labels": ["role": "frontal"], "created": created],
            ["description": "celery-new", "labels": ["role": "celery"], "created": created],
        ]])
    }

    private func get(_ path: String) async throws -> [String: Any] {
        try Self.object(try await http.send(HTTPRequest(url: URL(string: "http://127.0.0.1:\(server.port)\(path)")!)))
    }

    private func post(_ path: String, _ body: [String: Any]) async throws -> [String: Any] {
        let request = HTTPRequest(
            method: "POST", url: URL(string: "http://127.0.0.1:\(server.port)\(path)")!,
            headers: ["Content-Type": "application/json"], body: try JSONSerialization.data(withJSONObject: body))
        return try Self.object(try await http.send(request))
    }

    private static func object(_ response: HTTPResponse) throws -> [String: Any] {
        guard response.isSuccess, let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw FakeError(description: "the fake answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return object
    }
}

/// One request the fake received.
struct Recorded: CustomStringConvertible {
    var method: String
    var path: String
    var query: [String: [String]]
    var body: [String: Any]?
    var auth: String
    var status: Int
    var correlationID: String

    init(_ json: [String: Any]) {
        method = json["method"] as? String ?? ""
        path = json["path"] as? String ?? ""
        query = json["query"] as? [String: [String]] ?? [:]
        body = json["body"] as? [String: Any]
        auth = json["auth"] as? String ?? ""
        status = json["status"] as? Int ?? 0
        correlationID = json["correlation_id"] as? String ?? ""
    }

    var description: String { "\(method) \(path) \(query) -> \(status)" }

    func `is`(_ method: String, _ path: String) -> Bool { self.method == method && self.path == path }
    func `is`(_ method: String, matching pattern: String) -> Bool {
        self.method == method && path.range(of: "^\(pattern)$", options: .regularExpression) != nil
    }
}

extension [Recorded] {
    func count(_ method: String, _ path: String) -> Int { filter { $0.is(method, path) }.count }
}

struct FakeError: Error, CustomStringConvertible {
    var description: String
}
