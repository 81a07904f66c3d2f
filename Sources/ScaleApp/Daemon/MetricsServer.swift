import FlyingFox
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Serves the page at `/` (see ``PageDocument``), `/metrics` (Prometheus text) and `/status` (as
/// `status --json`); read-only. With a token configured every route needs it (see ``PageAccess``).
struct MetricsServer: Service {
    let host: String
    let port: UInt16
    let metrics: Metrics
    let status: @Sendable () async -> (Int, Data)
    let page: @Sendable () async -> HTML
    let access: PageAccess
    let logger: Logger
    /// Called once the server listens.
    let listening: @Sendable (String) -> Void

    init(
        address: String, metrics: Metrics, access: PageAccess, logger: Logger, listening: @escaping @Sendable (String) -> Void,
        page: @escaping @Sendable () async -> HTML, status: @escaping @Sendable () async -> (Int, Data)
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
        self.page = page
        self.access = access
    }

    func run() async throws {
        let server = FlyingFox.HTTPServer(address: try .inet(ip4: host, port: port), logger: .disabled)
        let access = self.access
        let guarded: @Sendable (@escaping @Sendable () async -> HTTPResponse) -> @Sendable (HTTPRequest) async -> HTTPResponse = { answer in
            { request in access.allows(authorization: request.headers[.authorization], cookies: request.headers.values(for: .cookie)) ? await answer() : PageResponses.unauthorized(wrong: false) }
        }
        await server.appendRoute("GET /metrics", handler: guarded { [metrics] in
            FlyingFox.HTTPResponse(
                statusCode: .ok, headers: PageResponses.headers("text/plain; version=0.0.4; charset=utf-8"),
                body: Data(await metrics.render().utf8))
        })
        await server.appendRoute("GET /status", handler: guarded { [status] in
            let (code, body) = await status()
            return FlyingFox.HTTPResponse(
                statusCode: code == 200 ? .ok : .serviceUnavailable, headers: PageResponses.headers("application/json"), body: body)
        })
        await server.appendRoute("GET /", handler: guarded { [page] in PageResponses.html(await page()) })
        await server.appendRoute("POST /login") { request in
            guard let session = access.session, access.accepts(form: try await request.bodyData) else {
                return PageResponses.unauthorized(wrong: access.token != nil)
            }
            return PageResponses.signedIn(session: session)
        }
        logger.info("Serving metrics", metadata: ["metrics.address": "\(host):\(port)"])
        let stopping = Mutex(false)
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await server.run() }
                    try await server.waitUntilListening(timeout: 30)
                    // The address bound, not the one asked for: port 0 lets the system choose a free one.
                    if case .ip4(let bound, let boundPort) = await server.listeningAddress {
                        listening("\(bound):\(boundPort)")
                    } else {
                        listening("\(host):\(port)")
                    }
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
