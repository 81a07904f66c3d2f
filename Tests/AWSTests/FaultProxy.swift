import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// `Tests/Fakes/aws_fault_proxy.py` in front of a moto server: faults set with ``set(_:)``, every
/// request it saw read back with ``log()``.
struct FaultProxy: Sendable {
    /// One request the proxy saw: its action, what it did (`forwarded`, `injected CODE`, `lost`,
    /// `dropped`), and the parameters `InstanceType`, `SubnetId`, `ClientToken` when present.
    typealias Request = [String: String]

    let server: PortReportingServer
    private let http = HTTPClient()

    /// Starts a proxy in front of `moto`, stopped at the end of the test (the suite needs `.awaitsCleanup`).
    static func start(before moto: Moto) async throws -> FaultProxy {
        let proxy = FaultProxy(server: try await PortReportingServer.fake("aws_fault_proxy.py", ["--upstream", moto.endpoint]))
        atEnd { await proxy.server.stop() }
        return proxy
    }

    var endpoint: String { "http://127.0.0.1:\(server.port)" }

    /// `POST /__faults`: rules, rates, echo, idempotency (see the script's docstring).
    func set(_ faults: [String: Any]) async throws {
        _ = try await http.send(HTTPRequest(
            method: "POST", url: URL(string: "\(endpoint)/__faults")!,
            headers: ["Content-Type": "application/json"], body: try JSONSerialization.data(withJSONObject: faults)))
    }

    /// Every request seen so far, in order.
    func log() async throws -> [Request] {
        let log = try JSONSerialization.jsonObject(with: try await http.send(HTTPRequest(url: URL(string: "\(endpoint)/__log")!)).body)
        return (log as? [String: Any])?["requests"] as? [Request] ?? []
    }
}
