import Foundation
import Synchronization
import GRDB
import Logging
import ScaleCore
import ScaleSQLite

/// A simulated cloud with servers, daily snapshots and load balancers, whose state lives in its own
/// SQLite file, as a real cloud keeps its own state: controllers sharing the file share one cloud.
///
/// Physics (boot, health, deletion) runs on `physics` time, normally real time, so an `up` in one process
/// and a `status` in the next see the same progress. Daily snapshots follow `calendar`, the controller's
/// clock, so a rehearsal with `--at` finds that day's snapshot.
/// Images taken with `scalectl snapshot` live in the state file too (see `SimCloud+Snapshots.swift`).
public struct SimCloud: CloudProvider, LoadBalancing, RateLimitReporting {
    public let name = "sim"
    public let fleet: String
    public let settings: SimSettings
    let database: any DatabaseWriter
    let calendar: any ScaleClock
    let physics: any ScaleClock
    private let nodeLogDirectory: String
    private let logger: Logger
    private let budget = BudgetBox()

    /// - Parameter nodeLogDirectory: where boot commands write their output, one file per node.
    public init(
        fleet: String, settings: SimSettings, database: any DatabaseWriter, calendar: any ScaleClock,
        physics: any ScaleClock = SystemClock(), nodeLogDirectory: String, logger: Logger
    ) throws {
        self.fleet = fleet
        self.settings = settings
        self.database = database
        self.calendar = calendar
        self.physics = physics
        self.nodeLogDirectory = nodeLogDirectory
        self.logger = logger
        try SimSchema.migrator.migrateShared(database)
    }

    /// The sim cloud whose state file is `statePath` (created when missing); boot commands write their
    /// output beside it, in `sim-nodes/`.
    public init(
        fleet: String, settings: SimSettings, statePath: String, calendar: any ScaleClock, physics: any ScaleClock = SystemClock(),
        logger: Logger
    ) throws {
        let database: DatabasePool
        do {
            database = try SQLiteFile.open(statePath, migrator: SimSchema.migrator)
        } catch {
            throw ProviderError(provider: "sim", operation: "open its state file \(statePath)", code: "state", message: "\(error)")
        }
        try self.init(
            fleet: fleet, settings: settings, database: database, calendar: calendar, physics: physics,
            nodeLogDirectory: URL(fileURLWithPath: statePath).deletingLastPathComponent().appendingPathComponent("sim-nodes").path,
            logger: logger)
    }

    /// Where the sim cloud keeps its state when `[provider] state` does not say: beside the controller's
    /// database, `NAME-sim.sqlite` for `NAME.sqlite`.
    public static func defaultStatePath(beside database: String) -> String {
        URL(fileURLWithPath: database).deletingPathExtension().path + "-sim.sqlite"
    }

    // MARK: CloudProvider

    public func newestSnapshot(role: String, selector: String) async throws -> Snapshot? {
        try await apiCall("find the newest snapshot for \(role)")
        if let taken = try await newestTakenImage(selector: selector) { return taken?.snapshot }
        let knobs = settings.roles[role] ?? SimRoleSettings()
        if knobs.noSnapshot { return nil }
        let now = calendar.now()
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        var taken: Date
        if let age = knobs.snapshotAge {
            taken = now - age
        } else {
            taken = utc.date(bySettingHour: settings.snapshotHour, minute: 0, second: 0, of: now) ?? now
            if taken > now { taken = taken - .seconds(86_400) }
        }
        let day = utc.dateComponents([.year, .month, .day], from: taken)
        let stamp = String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
        return Snapshot(id: "sim-\(role)-\(stamp.replacingOccurrences(of: "-", with: ""))", name: "\(role)-\(stamp)", createdAt: taken)
    }

    public func listNodes() async throws -> [Node] {
        try await apiCall("list nodes")
        try await startBootProcesses()
        let now = physics.now().timeIntervalSince1970
        return try await database.write { db in
            try Self.purgeGone(db, now: now)
            return try SimServer.order(Column("id")).fetchAll(db)
                .filter { $0.labels[OwnershipLabel.fleet] == fleet }
                .map { $0.node(at: now, readinessDelay: settings.readinessDelay.timeInterval) }
        }
    }

    public func node(named name: String) async throws -> Node? {
        try await apiCall("look up \(name)")
        try await startBootProcesses()
        let now = physics.now().timeIntervalSince1970
        return try await database.read { db in
            try SimServer.filter(Column("name") == name && Column("goneAt") == nil).fetchOne(db)?.node(at: now, readinessDelay: settings.readinessDelay.timeInterval)
        }
    }

    public func createNode(_ spec: NodeSpec) async throws -> Node {
        try await apiCall("create \(spec.name)")
        let place = spec.location.map { " in \($0)" } ?? ""
        if let code = settings.faults.createErrors[spec.name] ?? (settings.faults.isSoldOut(spec.serverType, in: spec.location) ? "resource_unavailable" : nil) {
            throw error("create \(spec.name)", code: code, status: 412, message: "server type \(spec.serverType) is not available\(place) right now")
        }
        if let limit = settings.faults.serverLimit, try await serverQuota().used >= limit {
            throw error("create \(spec.name)", code: "resource_limit_exceeded", status: 403, message: "the project's server limit of \(limit) is reached")
        }
        let now = physics.now().timeIntervalSince1970
        let boot = settings.bootTime.timeInterval + settings.bootSpread.timeInterval * Self.spread(of: spec.name)
        let never = settings.faults.neverRunning.contains(spec.name)
        let inserted = try await database.write { db -> SimServer in
            if try SimServer.filter(Column("name") == spec.name && Column("deleteRequestedAt") == nil).fetchCount(db) > 0 {
                throw error("create \(spec.name)", code: ProviderError.nameTakenCode, status: 409, message: "server name is already used")
            }
            var server = SimServer(
                id: nil, name: spec.name, labels: spec.labels, serverType: spec.serverType, imageID: spec.snapshot.id,
                port: 0, pid: nil, processStart: nil, createdAt: now, runningAt: never ? nil : now + boot, deleteRequestedAt: nil, goneAt: nil,
                location: spec.location)
            try server.insert(db)
            server.port = try Self.freePort(on: server.privateIP)
            try server.update(db)
            return server
        }
        try await startBootProcesses()
        let server = try await database.read { db in try SimServer.fetchOne(db, key: inserted.id) } ?? inserted
        return server.node(at: now, readinessDelay: settings.readinessDelay.timeInterval)
    }

    public func deleteNode(_ node: Node) async throws {
        try await apiCall("delete \(node.name)")
        if settings.faults.deleteFailures > 0, try await bump("faults:delete") <= settings.faults.deleteFailures {
            throw error("delete \(node.name)", code: "unavailable", status: 503, message: "could not delete the server right now (simulated)", retry: .yes(after: nil))
        }
        let now = physics.now().timeIntervalSince1970
        let gone = now + settings.deleteTime.timeInterval
        let process = try await database.write { db -> (pid: Int32, start: Int64?)? in
            guard let id = Int64(node.id), var server = try SimServer.fetchOne(db, key: id), server.goneAt == nil || server.goneAt! > now
            else { return nil }
            if server.deleteRequestedAt == nil {
                server.deleteRequestedAt = now
                server.goneAt = gone
                try server.update(db)
            }
            _ = try SimTarget.filter(Column("serverID") == id).deleteAll(db)
            return server.pid.map { ($0, server.processStart) }
        }
        if let process { await ChildProcess.terminateGroup(process.pid, startedAt: process.start) }
    }

    // MARK: LoadBalancing

    public func members(of balancer: String, role: String) async throws -> [String: BalancerHealth] {
        try await apiCall("read health of \(balancer)")
        try requireBalancer(balancer, "read health of \(balancer)")
        let now = physics.now().timeIntervalSince1970
        let delay = settings.healthDelay.timeInterval
        return try await database.read { db in
            var members: [String: BalancerHealth] = [:]
            for target in try SimTarget.filter(Column("balancer") == balancer).fetchAll(db) {
                guard let server = try SimServer.fetchOne(db, key: target.serverID),
                      server.labels[OwnershipLabel.role] == role, server.labels[OwnershipLabel.fleet] == fleet
                else { continue }
                switch server.state(at: now).0 {
                case .running:
                    members[String(target.serverID)] = now >= max(target.attachedAt, server.runningAt ?? now) + delay ? .healthy : .unknown
                default:
                    members[String(target.serverID)] = .unhealthy
                }
            }
            return members
        }
    }

    public func attach(_ nodes: [Node], role: String, to balancer: String) async throws {
        try await apiCall("attach \(nodes.count) \(role) nodes to \(balancer)")
        let faults = settings.faults
        try requireBalancer(balancer, "attach to \(balancer)")
        if faults.attachFailures > 0, try await bump("faults:attach") <= faults.attachFailures {
            let passing = faults.attachError == "conflict"
            throw error(
                "attach to \(balancer)", code: faults.attachError, status: passing ? 409 : 422,
                message: passing ? "another action is in progress on the load balancer (simulated)" : "the load balancer refused the targets (simulated)",
                retry: passing ? .yes(after: nil) : .no)
        }
        let now = physics.now().timeIntervalSince1970
        try await database.write { db in
            for node in nodes {
                guard let id = Int64(node.id), try SimServer.fetchOne(db, key: id) != nil else {
                    throw error("attach \(node.name) to \(balancer)", code: "not_found", status: 404, message: "server \(node.id) does not exist")
                }
                if try SimTarget.fetchOne(db, key: ["balancer": balancer, "serverID": id]) == nil {
                    try SimTarget(balancer: balancer, serverID: id, attachedAt: now).insert(db)
                }
            }
        }
    }

    public func detach(_ nodes: [Node], role: String, from balancer: String) async throws {
        try await apiCall("detach \(nodes.count) \(role) nodes from \(balancer)")
        try requireBalancer(balancer, "detach from \(balancer)")
        let ids = nodes.compactMap { Int64($0.id) }
        try await database.write { db in
            _ = try SimTarget.filter(Column("balancer") == balancer && ids.contains(Column("serverID"))).deleteAll(db)
        }
    }

    // MARK: Workings

    /// A balancer the fault knobs removed (renamed, deleted) answers 404, as a real API would.
    private func requireBalancer(_ balancer: String, _ operation: String) throws {
        if settings.faults.missingBalancers.contains(balancer) {
            throw error(operation, code: "not_found", status: 404, message: "there is no load balancer named \(balancer)")
        }
    }

    public func rateLimitState() async -> RateLimitState? { budget.state.withLock { $0 } }

    /// One API call's latency, its share of the request budget, and the bursts of failures the faults ask for.
    func apiCall(_ operation: String) async throws {
        if settings.apiLatency > .zero { try await physics.sleep(for: settings.apiLatency) }
        if settings.faults.rejectCredentials {
            throw error(operation, code: "unauthorized", status: 401, message: "unable to authenticate (simulated)")
        }
        try await spendBudget(operation)
        guard !settings.faults.bursts.isEmpty else { return }
        let number = try await bump("calls")
        for burst in settings.faults.bursts where number > burst.after && number <= burst.after + burst.count {
            switch burst.kind {
            case .serverError:
                throw error(operation, code: "unavailable", status: 503, message: "the service is unavailable (simulated burst)", retry: .yes(after: nil))
            case .rateLimited(let retryAfter):
                throw error(operation, code: "rate_limit_exceeded", status: 429, message: "the request budget is used up (simulated)", retry: .yes(after: retryAfter))
            case .timeout(let delay):
                try await physics.sleep(for: delay)
                throw ProviderError(provider: name, operation: operation, code: "timeout", message: "no answer within \(DurationText.format(delay)) (simulated)", retry: .yes(after: nil))
            }
        }
    }

    /// Takes one request from the token bucket, or refuses with 429 and the time until one is back.
    private func spendBudget(_ operation: String) async throws {
        guard let limit = settings.rateLimit else { return }
        let now = physics.now().timeIntervalSince1970
        let rate = Double(limit.perHour) / 3600
        let (tokens, granted) = try await database.write { db -> (Double, Bool) in
            let row = try Row.fetchOne(db, sql: "SELECT tokens, updatedAt FROM simBudget WHERE key = 'budget'")
            let stored: Double = row?["tokens"] ?? Double(limit.initial ?? limit.burst)
            let at: Double = row?["updatedAt"] ?? now
            var tokens = min(Double(limit.burst), stored + max(0, now - at) * rate)
            let granted = tokens >= 1
            if granted { tokens -= 1 } else { _ = try Self.bump("rejected", db) }
            try db.execute(
                sql: "INSERT INTO simBudget(key, tokens, updatedAt) VALUES ('budget', ?, ?) ON CONFLICT(key) DO UPDATE SET tokens = excluded.tokens, updatedAt = excluded.updatedAt",
                arguments: [tokens, now])
            return (tokens, granted)
        }
        let observed = Date(timeIntervalSince1970: now)
        budget.state.withLock {
            $0 = RateLimitState(
                limit: limit.burst, remaining: Int(tokens), reset: observed + .seconds((Double(limit.burst) - tokens) / rate), observedAt: observed)
        }
        guard granted else {
            throw error(
                operation, code: "rate_limit_exceeded", status: 429, message: "the request budget is used up",
                retry: .yes(after: .seconds((1 - tokens) / rate)))
        }
    }

    /// The process a server runs (its boot command), if any: tests kill it to rehearse a dead service.
    public func processID(ofServer id: String) async throws -> Int32? {
        try await database.read { db in try Int32.fetchOne(db, sql: "SELECT pid FROM simServer WHERE id = ?", arguments: [Int64(id)]) }
    }

    /// A fault or call counter's value (`calls`, `rejected`, ...), for tests and the benchmark.
    public func counter(_ key: String) async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT value FROM simCounter WHERE key = ?", arguments: [key]) ?? 0 }
    }

    /// Adds one to a counter kept in the database and returns the new value.
    private func bump(_ key: String) async throws -> Int {
        try await database.write { db in try Self.bump(key, db) }
    }

    private static func bump(_ key: String, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "INSERT INTO simCounter(key, value) VALUES (?, 1) ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value",
            arguments: [key]) ?? 1
    }

    func error(_ operation: String, code: String, status: Int, message: String, retry: ProviderError.Retry = .no) -> ProviderError {
        ProviderError(provider: name, operation: operation, status: status, code: code, message: message, requestID: "sim-\(UUID().uuidString.prefix(8))", retry: retry)
    }

    /// Starts the boot command of every live server that never had its process, like a hypervisor
    /// booting what the cloud accepted: a create whose caller died in mid-call still boots. A process
    /// that ran and died is left dead (the node "crashed").
    private func startBootProcesses() async throws {
        let commands = settings.roles.compactMapValues(\.bootCommand)
        guard !commands.isEmpty else { return }
        try await database.write { db in
            let waiting = try SimServer.filter(Column("pid") == nil && Column("deleteRequestedAt") == nil).fetchAll(db)
            for var server in waiting {
                guard let role = server.labels[OwnershipLabel.role], let command = commands[role] else { continue }
                if let dead = settings.faults.deadBoots[server.name], try Self.bump("boots:\(server.name)", db) <= dead {
                    server.pid = 0  // this boot starts no process: the node runs but never gets ready
                } else {
                    (server.pid, server.processStart) = try startBootCommand(command, server: server, role: role)
                }
                try server.update(db)
            }
        }
    }

    /// Starts a node's boot command; returns its pid and when it started (nil if it is already gone).
    private func startBootCommand(_ template: String, server: SimServer, role: String) throws -> (Int32, Int64?) {
        let command = try Template.render(template, values: Template.values(for: server.node(at: 0), role: role))
        try FileManager.default.createDirectory(atPath: nodeLogDirectory, withIntermediateDirectories: true)
        let pid = try ChildProcess.spawn(command, log: "\(nodeLogDirectory)/\(server.name).log")
        let start = ChildProcess.startTicks(of: pid).map(Int64.init)  // read before a reaper can free the pid
        ChildProcess.reapInBackground(pid)
        logger.debug("Sim node process started", metadata: ["node.name": "\(server.name)", "process.pid": "\(pid)"])
        return (pid, start)
    }

    /// The budget as this process last saw it.
    final class BudgetBox: Sendable {
        let state = Mutex<RateLimitState?>(nil)
    }

    private static func purgeGone(_ db: Database, now: Double) throws {
        let gone = try SimServer.filter(Column("goneAt") != nil && Column("goneAt") <= now).fetchAll(db)
        for server in gone {
            _ = try SimTarget.filter(Column("serverID") == server.id).deleteAll(db)
            try server.delete(db)
        }
    }

    /// A number in [0, 1) fixed by the node name, so boot times spread but repeat.
    public static func spread(of name: String) -> Double {
        var hash: UInt64 = 1_469_598_103_934_665_603
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return Double(hash % 10_000) / 10_000
    }

    /// A TCP port free right now on the node's own loopback address.
    static func freePort(on ip: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ProviderError(provider: "sim", operation: "create", code: "no_port", message: "no socket for a port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, ip, &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ProviderError(provider: "sim", operation: "create", code: "no_port", message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
