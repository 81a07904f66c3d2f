import Foundation
import Logging
import ScaleCore

/// The DigitalOcean provider (https://docs.digitalocean.com/reference/api/): droplets from role snapshots,
/// owned through tags, behind load balancers, over HTTPS with an account token.
///
/// Ownership: every droplet carries the fleet tag `scalectl-fleet-NAME` and the role tag
/// `scalectl-role-NAME-ROLE`; the fleet is listed by its tag, and droplets are deleted one id at a time
/// (never `DELETE /v2/droplets?tag_name=`). Droplet names are not unique at DigitalOcean, so each name
/// is looked up before it is created: one of ours is kept, a stranger's is reported and never touched.
public struct DigitalOceanCloud: CloudProvider, GracefulShutdown, RateLimitReporting {
    public let name = "digitalocean"
    public let fleet: String
    public let settings: DigitalOceanSettings
    let api: DigitalOceanAPI
    let logger: Logger
    let batcher: CreateBatcher
    /// Droplet id → its status as last listed (`gone` when the fleet listing no longer holds it).
    let statuses: BatchPoller<Int, String>
    let balancerIDs = BalancerCache()

    /// - Parameters:
    ///   - token: the account's API token (write scope); it only ever goes into the `Authorization` header.
    ///   - clock: paces polls, gathers create batches and dates the request budget.
    public init(
        fleet: String, settings: DigitalOceanSettings, token: Secret, clock: any ScaleClock, logger: Logger,
        http: HTTPClient = HTTPClient()
    ) {
        let api = DigitalOceanAPI(
            endpoint: settings.endpoint, token: token, http: http, timeout: settings.requestTimeout, perPage: settings.perPage,
            perMinute: settings.requestsPerMinute, clock: clock, logger: logger)
        self.fleet = fleet
        self.settings = settings
        self.api = api
        self.logger = logger
        self.batcher = CreateBatcher(window: settings.batchWindow, clock: clock)
        let tag = DigitalOceanSettings.fleetTag(fleet)
        self.statuses = BatchPoller(interval: settings.actionPollInterval, clock: clock) { ids in
            let droplets = try await Self.listDroplets(tag: tag, api: api, operation: "poll droplet status")
            let byID = Dictionary(droplets.map { ($0.id, $0.status) }, uniquingKeysWith: { first, _ in first })
            return Dictionary(uniqueKeysWithValues: ids.map { ($0, byID[$0] ?? "gone") })
        }
    }

    var fleetTag: String { DigitalOceanSettings.fleetTag(fleet) }

    // MARK: RateLimitReporting

    public func rateLimitState() async -> RateLimitState? { await api.rateLimit.state }

    public var pacesEachRequest: Bool { true }

    // MARK: CloudProvider

    /// The newest snapshot of a droplet whose name starts with `selector` (the role's `name_prefix`).
    /// - Throws: when that snapshot cannot be used in the configured region (naming both).
    public func newestSnapshot(role: String, selector: String) async throws -> Snapshot? {
        let operation = "find the newest \(role) snapshot"
        let snapshots = try await api.all(
            "/snapshots", query: [("resource_type", "droplet")], page: DigitalOcean.SnapshotList.self, operation: operation, items: \.snapshots)
        let usable = snapshots.filter { $0.name.hasPrefix(selector) && ($0.status ?? "available") == "available" && ($0.resourceType ?? "droplet") == "droplet" }
        guard let newest = usable.max(by: { $0.createdAt < $1.createdAt }) else { return nil }
        guard newest.regions.contains(settings.region) else {
            throw ProviderError(
                provider: name, operation: operation, code: "snapshot_not_in_region",
                message: "the newest \(role) snapshot \"\(newest.name)\" (id \(newest.id)) is in \(newest.regions.isEmpty ? "no region" : newest.regions.joined(separator: ", ")), not in the region \(settings.region)",
                hint: "transfer the snapshot to \(settings.region) (images/{id}/actions type transfer) or change region")
        }
        return Snapshot(id: newest.id, name: newest.name, createdAt: newest.createdAt)
    }

    public func listNodes() async throws -> [Node] {
        try await Self.listDroplets(tag: fleetTag, api: api, operation: "list nodes")
            .filter { ($0.tags ?? []).contains(fleetTag) }
            .map { $0.node(fleet: fleet) }
    }

    public func node(named name: String) async throws -> Node? {
        try await droplets(named: name, operation: "look up \(name)").first.map { $0.node(fleet: fleet) }
    }

    /// The droplets named exactly `name`, ours first (names are not unique at DigitalOcean).
    func droplets(named name: String, operation: String) async throws -> [DigitalOcean.Droplet] {
        let found = try await api.all("/droplets", query: [("name", name)], page: DigitalOcean.DropletList.self, operation: operation, items: \.droplets)
            .filter { $0.name == name }
        return found.filter { ($0.tags ?? []).contains(fleetTag) } + found.filter { !($0.tags ?? []).contains(fleetTag) }
    }

    /// Joins the creates of droplets alike into one `POST /v2/droplets` with `names` (see ``CreateBatcher``).
    public func createNode(_ spec: NodeSpec) async throws -> Node {
        let region = spec.location ?? settings.region
        let key = CreateBatcher.Key(role: spec.role, size: spec.serverType, image: spec.snapshot.id, region: region)
        let outcome = await batcher.create(spec.name, key: key) { names in
            await createBatch(names, spec: spec, region: region)
        }
        return try outcome.get()
    }

    /// Looks every name up, then creates the missing ones in one call. A name held by a droplet of ours
    /// (a create whose answer was lost, a run that crashed) is that droplet; a name held by a stranger
    /// fails with ``ProviderError/nameTakenCode``, and the executor reports whose it is.
    private func createBatch(_ names: [String], spec: NodeSpec, region: String) async -> [String: CreateBatcher.Outcome] {
        var outcomes: [String: CreateBatcher.Outcome] = [:]
        var missing: [String] = []
        for name in names {
            do {
                if let held = try await droplets(named: name, operation: "create \(name)").first {
                    outcomes[name] = (held.tags ?? []).contains(fleetTag)
                        ? .success(held.node(fleet: fleet))
                        : .failure(ProviderError(
                            provider: self.name, operation: "create \(name)", code: ProviderError.nameTakenCode,
                            message: "droplet \(held.id) is already named \(name) and does not carry the tag \(fleetTag)",
                            hint: "the controller never touches droplets it does not own; rename or delete that droplet by hand"))
                } else {
                    missing.append(name)
                }
            } catch {
                outcomes[name] = .failure(Self.providerError(error, operation: "create \(name)"))
            }
        }
        guard !missing.isEmpty else { return outcomes }
        let operation = "create \(missing.joined(separator: ", "))"
        do {
            let request = DigitalOcean.CreateDroplets(
                names: missing, region: region, size: spec.serverType, image: DigitalOcean.ImageID(spec.snapshot.id),
                sshKeys: settings.sshKeys.isEmpty ? nil : settings.sshKeys, tags: try await tags(for: spec.role, operation: operation),
                vpcUUID: settings.vpcUUID, monitoring: settings.monitoring)
            let answer = try await api.post("/droplets", body: request, as: DigitalOcean.CreatedDroplets.self, operation: operation)
            logger.info("DigitalOcean droplets created", metadata: ["node.names": "\(missing)", "droplet.ids": "\(answer.droplets.map(\.id))"])
            for droplet in answer.droplets where missing.contains(droplet.name) { outcomes[droplet.name] = .success(droplet.node(fleet: fleet)) }
        } catch {
            for name in missing { outcomes[name] = .failure(Self.providerError(error, operation: "create \(name)")) }
        }
        return outcomes
    }

    /// The tags of a role's droplets: the fleet and role tags, the configured ones, and the tag of a
    /// tag-based balancer the role joins.
    func tags(for role: String, operation: String) async throws -> [String] {
        var tags = [fleetTag, DigitalOceanSettings.roleTag(fleet: fleet, role: role)] + settings.tags
        if let balancer = settings.roleBalancers[role], let tag = try await loadBalancer(balancer, operation: operation).tag, !tag.isEmpty {
            tags.append(tag)
        }
        var seen: Set<String> = []
        return tags.filter { seen.insert($0).inserted }
    }

    /// Deletes one droplet by id (never by tag). A droplet already gone is not an error.
    public func deleteNode(_ node: Node) async throws {
        let operation = "delete \(node.name)"
        let id = try ownedDropletID(node, operation: operation)
        do {
            _ = try await api.delete("/droplets/\(id)", as: DigitalOcean.NoContent.self, operation: operation)
        } catch let error as ProviderError where error.status == 404 {
            return
        } catch let error as ProviderError where error.outcomeUnknown {
            // The answer was lost: DigitalOcean may have deleted it. Look before asking again.
            guard try await dropletStatus(id, operation: operation) != nil else { return }
            logger.info("Delete answer lost and the droplet is still there; asking again", metadata: ["node.name": "\(node.name)", "droplet.id": "\(id)"])
            do {
                _ = try await api.delete("/droplets/\(id)", as: DigitalOcean.NoContent.self, operation: operation)
            } catch let error as ProviderError where error.status == 404 {
                return
            }
        }
    }

    // MARK: GracefulShutdown

    /// Asks the droplet to shut down (`shutdown`: graceful, not guaranteed), waits up to
    /// `shutdownTimeout` for it to be `off`, then cuts the power (`power_off`) and waits for that action.
    /// A droplet already gone is not an error.
    public func shutDown(_ node: Node) async throws {
        let id = try ownedDropletID(node, operation: "shut down \(node.name)")
        try await GracefulStop.run(
            name: node.name, id: String(id), timeout: settings.shutdownTimeout, logger: logger,
            ask: { _ = try await dropletAction(id, "shutdown", operation: "shut down \(node.name)") },
            waitOff: { timeout in
                try await statuses.wait(
                    for: [id], timeout: timeout, timedOut: { ShutdownTimedOut() },
                    decide: { status in ["off", "gone"].contains(status[id]) ? () : nil })
            },
            cut: { try await finish(try await dropletAction(id, "power_off", operation: "power off \(node.name)"), operation: "power off \(node.name)") })
    }

    // MARK: Workings

    func dropletAction(_ id: Int, _ type: String, operation: String) async throws -> DigitalOcean.Action {
        try await api.post("/droplets/\(id)/actions", body: DigitalOcean.DropletAction(type: type), as: DigitalOcean.ActionAnswer.self, operation: operation).action
    }

    /// Polls `GET /v2/actions/{id}` until the action is `completed`; `errored` is thrown.
    func finish(_ started: DigitalOcean.Action, operation: String) async throws {
        var action = started
        let deadline = api.clock.now() + settings.actionTimeout
        while action.status == "in-progress" {
            guard api.clock.now() < deadline else {
                throw ProviderError(
                    provider: name, operation: operation, code: "action_timeout",
                    message: "action \(action.id) (\(action.type)) still in progress after \(DurationText.format(settings.actionTimeout))",
                    hint: "DigitalOcean is slow to carry it out; check the droplet in the control panel, then run the command again")
            }
            try await api.clock.sleep(for: settings.actionPollInterval)
            action = try await api.get("/actions/\(action.id)", as: DigitalOcean.ActionAnswer.self, operation: operation).action
        }
        guard action.status == "completed" else {
            throw ProviderError(provider: name, operation: operation, code: "action_errored", message: "action \(action.id) (\(action.type)) ended \(action.status)")
        }
    }

    /// A droplet's status by id, nil when it is gone.
    func dropletStatus(_ id: Int, operation: String) async throws -> String? {
        do {
            return try await api.get("/droplets/\(id)", as: DigitalOcean.DropletAnswer.self, operation: operation).droplet.status
        } catch let error as ProviderError where error.status == 404 {
            return nil
        }
    }

    /// The droplet id of a node this fleet owns; refuses anything else, so no stranger is ever touched.
    func ownedDropletID(_ node: Node, operation: String) throws -> Int {
        try Ownership.id(of: node, fleet: fleet, provider: name, operation: operation, kind: "droplet", mark: "tag \(fleetTag)")
    }

    static func listDroplets(tag: String, api: DigitalOceanAPI, operation: String) async throws -> [DigitalOcean.Droplet] {
        try await api.all("/droplets", query: [("tag_name", tag)], page: DigitalOcean.DropletList.self, operation: operation, items: \.droplets)
    }

    static func providerError(_ error: any Error, operation: String) -> ProviderError {
        error as? ProviderError ?? ProviderError(provider: DigitalOceanFailure.provider, operation: operation, code: "unexpected", message: "\(error)")
    }
}
