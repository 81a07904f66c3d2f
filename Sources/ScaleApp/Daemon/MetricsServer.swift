import FlyingFox
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Serves `/metrics` (Prometheus text) and `/status` (as `status --json`) on a loopback address.
struct MetricsServer: Service {
    let host: String
    let port: UInt16
    let metrics: Metrics
    let status: @Sendable () async -> (Int, Data)
    let logger: Logger
    /// Called once the server listens.
    let listening: @Sendable (String) -> Void

    init(
        address: String, metrics: Metrics, logger: Logger, listening: @escaping @Sendable (String) -> Void,
        status: @escaping @Sendable () async -> (Int, Data)
    ) throws {
        guard let (host, port) = Configuration.DaemonSettings.listenAddress(address) else {
            throw InputError("the metrics address \"\(address)\" is not host:port")
        }
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
        self.listening = listening
        self.status = status
    }

    func run() async throws {
        let server = FlyingFox.HTTPServer(address: try .inet(ip4: host, port: port), logger: .disabled)
        await server.appendRoute("GET /metrics") { [metrics] _ in
            FlyingFox.HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: Data(await metrics.render().utf8))
        }
        await server.appendRoute("GET /status") { [status] _ in
            let (code, body) = await status()
            return FlyingFox.HTTPResponse(
                statusCode: code == 200 ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"], body: body)
        }
        logger.info("Serving metrics", metadata: ["metrics.address": "\(host):\(port)"])
        let stopping = Mutex(false)
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await server.run() }
                    try await server.waitUntilListening(timeout: 30)
                    listening("\(host):\(port)")
                    try await group.waitForAll()
                }
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
                Task { await server.stop() }
            }
        } catch {
            // Stopping can end a connection in mid-request (FlyingFox says "disconnected"): part of stopping.
            guard error is CancellationError || stopping.withLock({ $0 }) else { throw error }
        }
    }
}
