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

    let api: FakeCloudAPI

    static func start() async throws -> FakeHetzner {
        FakeHetzner(api: try await .start("hetzner_fake.py", token: token))
    }

    var server: PortReportingServer { api.server }
    var endpoint: String { "http://127.0.0.1:\(server.port)/v1" }

    func stop() async { await api.stop() }

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
    func seed(_ body: [String: Any]) async throws -> [String: Any] { try await api.seed(body) }

    func faults(_ body: [String: Any]) async throws { try await api.faults(body) }

    /// A fault rule: `method path` answers `status` with `code`, `times` times (always when nil).
    static func rule(_ method: String, _ path: String, status: Int, code: String, times: Int? = nil, name: String? = nil, headers: [String: String] = [:]) -> [String: Any] {
        var rule: [String: Any] = ["method": method, "path": path, "status": status, "code": code, "message": "injected \(code)", "headers": headers]
        if let times { rule["times"] = times }
        if let name { rule["name"] = name }
        return rule
    }

    /// Every API request so far, in order.
    func requests() async throws -> [Recorded] { try await api.requests() }

    func state() async throws -> [String: Any] { try await api.state() }

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
}

/// One request the fake received.
typealias Recorded = RecordedRequest
