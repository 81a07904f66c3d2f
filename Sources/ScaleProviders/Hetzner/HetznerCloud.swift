import Foundation
import Logging
import ScaleCore

/// The Hetzner Cloud provider (https://docs.hetzner.cloud/): servers from role snapshots, owned through
/// labels, behind load balancers, over HTTPS with a project token.
///
/// Each method makes its requests once and throws ``ProviderError``s that say whether waiting helps;
/// `ProviderCalls` retries. Waiting on actions is shared: concurrent creates and deletes poll all their
/// pending actions in one `GET /actions?id=…&id=…` per interval.
public struct HetznerCloud: CloudProvider, GracefulShutdown, RateLimitReporting {
    public let name = "hetzner"
    public let fleet: String
    public let settings: HetznerSettings
    let api: HetznerAPI
    let logger: Logger
    /// Action id → the action as last polled (nil when the API did not return it).
    let actions: BatchPoller<Int, Hetzner.Action?>
    /// Server id → its status as last listed (`gone` when the fleet listing no longer holds it).
    let statuses: BatchPoller<Int, String>
    let balancerIDs = BalancerDirectory()

    /// - Parameters:
    ///   - token: the project's API token (Read & Write); it only ever goes into the `Authorization` header.
    ///   - clock: paces action polls and dates the request budget.
    public init(
        fleet: String, settings: HetznerSettings, token: Secret, clock: any ScaleClock, logger: Logger,
        http: HTTPClient = HTTPClient()
    ) {
        let api = HetznerAPI(
            endpoint: settings.endpoint, token: token, http: http, timeout: settings.requestTimeout,
            perPage: settings.perPage, clock: clock, logger: logger)
        self.fleet = fleet
        self.settings = settings
        self.api = api
        self.logger = logger
        self.actions = BatchPoller(interval: settings.actionPollInterval, clock: clock) { ids in
            try await Self.fetchActions(ids, api: api)
        }
        let selector = Self.fleetSelector(fleet)
        self.statuses = BatchPoller(interval: settings.actionPollInterval, clock: clock) { ids in
            let servers = try await Self.listServers(selector, api: api, operation: "poll server status")
            let byID = Dictionary(servers.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first })
            return Dictionary(uniqueKeysWithValues: ids.map { ($0, byID[$0] ?? "gone") })
        }
    }

    /// `scalectl-fleet=NAME`: the label selector of everything this fleet owns.
    static func fleetSelector(_ fleet: String) -> String { "\(OwnershipLabel.fleet)=\(fleet)" }

    // MARK: RateLimitReporting

    public func rateLimitState() async -> RateLimitState? { await api.rateLimit.state }

    /// Each request goes through ``ProviderCalls/request(_:_:effect:_:)``, which paces it.
    public var pacesEachRequest: Bool { true }

    // MARK: CloudProvider

    public func newestSnapshot(role: String, selector: String) async throws -> Snapshot? {
        let usable = { (image: Hetzner.Image) in image.type == "snapshot" && image.status == "available" }
        let images = try await api.all(
            "/images",
            query: [("type", "snapshot"), ("status", "available"), ("label_selector", selector), ("sort", "created:desc")],
            page: Hetzner.ImageList.self, operation: "find the newest \(role) snapshot", items: \.images, enough: usable)
        guard let newest = images.filter(usable).max(by: { $0.created < $1.created }) else { return nil }
        return Snapshot(id: String(newest.id), name: newest.description ?? newest.name ?? "snapshot \(newest.id)", createdAt: newest.created)
    }

    public func listNodes() async throws -> [Node] {
        try await Self.listServers(Self.fleetSelector(fleet), api: api, operation: "list nodes")
            .filter { $0.labels?[OwnershipLabel.fleet] == fleet }
            .map { $0.node(network: settings.network) }
    }

    public func node(named name: String) async throws -> Node? {
        try await servers(named: name, operation: "look up \(name)").first?.node(network: settings.network)
    }

    /// The servers named exactly `name` (one at most: names are unique per project).
    func servers(named name: String, operation: String) async throws -> [Hetzner.Server] {
        try await api.get("/servers", query: [("name", name)], as: Hetzner.ServerList.self, operation: operation).servers.filter { $0.name == name }
    }

    public func createNode(_ spec: NodeSpec) async throws -> Node {
        let operation = "create \(spec.name)"
        let request = Hetzner.CreateServer(
            name: spec.name, serverType: spec.serverType, image: spec.snapshot.id, location: spec.location ?? settings.location,
            labels: spec.labels, networks: settings.network.map { [$0] },
            firewalls: settings.firewalls.isEmpty ? nil : settings.firewalls.map { .init(firewall: $0) })
        let answer = try await api.post("/servers", body: request, as: Hetzner.CreatedServer.self, operation: operation)
        logger.info("Hetzner server created", metadata: ["node.name": "\(spec.name)", "server.id": "\(answer.server.id)", "action.id": "\(answer.action.id)"])
        try await finish([answer.action] + (answer.nextActions ?? []), operation: operation)
        return answer.server.node(network: settings.network)
    }

    public func deleteNode(_ node: Node) async throws {
        let operation = "delete \(node.name)"
        let id = try ownedServerID(node, operation: operation)
        let answer: Hetzner.ActionAnswer
        do {
            answer = try await api.delete("/servers/\(id)", as: Hetzner.ActionAnswer.self, operation: operation)
        } catch let error as ProviderError where error.status == 404 {
            return
        } catch let error as ProviderError where error.outcomeUnknown {
            // The answer was lost: Hetzner may have started deleting. Look before asking again.
            guard let status = try await serverStatus(id, operation: operation), status != "deleting" else { return }
            logger.info("Delete answer lost and the server is still there; asking again", metadata: ["node.name": "\(node.name)", "server.id": "\(id)"])
            do {
                answer = try await api.delete("/servers/\(id)", as: Hetzner.ActionAnswer.self, operation: operation)
            } catch let error as ProviderError where error.status == 404 {
                return
            }
        }
        try await finish([answer.action], operation: operation)
    }

    // MARK: GracefulShutdown

    /// Asks the OS to shut down (ACPI), waits up to `shutdownTimeout` for the server to be `off`, then
    /// cuts the power. A server already gone is not an error. The shutdown action's success only means
    /// the request reached the server: whether it goes `off` is read from its status.
    public func shutDown(_ node: Node) async throws {
        let id = try ownedServerID(node, operation: "shut down \(node.name)")
        try await shutDownServer(id, name: node.name) { timeout in
            try await statuses.wait(
                for: [id], timeout: timeout, timedOut: { ShutdownTimedOut() },
                decide: { status in ["off", "gone"].contains(status[id]) ? () : nil })
        }
    }

    /// The graceful shutdown of server `id`, owned or not (``shutDown(_:)`` checks ownership; a snapshot's
    /// template is the user's server): ACPI, then `waitOff` for up to `shutdownTimeout` (it throws
    /// ``ShutdownTimedOut`` when the server is still on), then a power-off.
    func shutDownServer(_ id: Int, name: String, waitOff: (Duration) async throws -> Void) async throws {
        let operation = "shut down \(name)"
        try await GracefulStop.run(
            name: name, id: String(id), timeout: settings.shutdownTimeout, logger: logger,
            ask: {
                let asked = try await api.post("/servers/\(id)/actions/shutdown", as: Hetzner.ActionAnswer.self, operation: operation)
                try await finish([asked.action], operation: operation)
            },
            waitOff: waitOff,
            cut: {
                let cut = try await api.post("/servers/\(id)/actions/poweroff", as: Hetzner.ActionAnswer.self, operation: "power off \(name)")
                try await finish([cut.action], operation: "power off \(name)")
            })
    }

    /// A server's status by id, nil when it is gone.
    func serverStatus(_ id: Int, operation: String) async throws -> String? {
        do {
            return try await api.get("/servers/\(id)", as: Hetzner.ServerAnswer.self, operation: operation).server.status
        } catch let error as ProviderError where error.status == 404 {
            return nil
        }
    }

    // MARK: Workings

    /// The server id of a node this fleet owns; refuses anything else, so no stranger is ever touched.
    func ownedServerID(_ node: Node, operation: String) throws -> Int {
        try Ownership.id(of: node, fleet: fleet, provider: name, operation: operation, kind: "server", mark: "label \(OwnershipLabel.fleet)=\(fleet)")
    }

    /// Waits until every action has succeeded; the first that fails is thrown.
    func finish(_ started: [Hetzner.Action], operation: String) async throws {
        if let failed = started.first(where: { $0.status == "error" }) { throw HetznerFailure.actionFailed(failed, operation: operation) }
        let running = started.filter { $0.status != "success" }.map(\.id)
        guard !running.isEmpty else { return }
        let timeout = settings.actionTimeout
        do {
            try await waitForActions(running, timeout: timeout, operation: operation)
        } catch var error as ProviderError where error.operation.hasPrefix("poll actions") {
            error.operation = "\(operation) (while polling its actions)"
            throw error
        }
    }

    private func waitForActions(_ running: [Int], timeout: Duration, operation: String) async throws {
        try await actions.wait(
            for: running, timeout: timeout,
            timedOut: {
                ProviderError(
                    provider: HetznerFailure.provider, operation: operation, code: "action_timeout",
                    message: "actions \(running.map(String.init).joined(separator: ", ")) still running after \(DurationText.format(timeout))",
                    hint: "Hetzner is slow to carry it out; check the server in the console, then run the command again")
            },
            decide: { polled in
                for id in running {
                    guard let action = polled[id] ?? nil else {
                        throw HetznerFailure.malformed(operation, "Hetzner did not return action \(id) when polled", requestID: nil)
                    }
                    if action.status == "error" { throw HetznerFailure.actionFailed(action, operation: operation) }
                }
                return running.allSatisfy { polled[$0]??.status == "success" } ? () : nil
            })
    }

    static func listServers(_ selector: String, api: HetznerAPI, operation: String) async throws -> [Hetzner.Server] {
        try await api.all(
            "/servers", query: [("label_selector", selector)], page: Hetzner.ServerList.self, operation: operation,
            items: \.servers)
    }

    /// The actions asked, 50 ids a request (the API's page size at most), every page followed.
    static func fetchActions(_ ids: [Int], api: HetznerAPI) async throws -> [Int: Hetzner.Action?] {
        var found: [Int: Hetzner.Action?] = Dictionary(uniqueKeysWithValues: ids.map { ($0, nil) })
        for start in stride(from: 0, to: ids.count, by: 50) {
            let chunk = ids[start..<min(ids.count, start + 50)]
            let polled = try await api.all(
                "/actions", query: chunk.map { ("id", String($0)) }, page: Hetzner.ActionList.self,
                operation: "poll actions \(chunk.map(String.init).joined(separator: ", "))",
                items: \.actions)
            for action in polled where found.keys.contains(action.id) { found[action.id] = action }
        }
        return found
    }
}
