import Foundation
import ScaleCore

/// The simulated cloud's latencies, per-role behaviour and fault knobs.
public struct SimSettings: Sendable, Hashable {
    /// Every API call takes this long.
    public var apiLatency: Duration
    /// From create to running, before spread.
    public var bootTime: Duration
    /// Each node boots up to this much later than `bootTime` (deterministic per node).
    public var bootSpread: Duration
    /// From attached and running to healthy on a load balancer.
    public var healthDelay: Duration
    /// From delete to gone.
    public var deleteTime: Duration
    /// Days of daily snapshots kept per role.
    public var snapshotDays: Int
    /// The UTC hour daily snapshots are taken.
    public var snapshotHour: Int
    public var roles: [String: SimRoleSettings]
    public var faults: SimFaults

    public init(
        apiLatency: Duration = .milliseconds(20), bootTime: Duration = .seconds(2), bootSpread: Duration = .seconds(1),
        healthDelay: Duration = .seconds(1), deleteTime: Duration = .seconds(1), snapshotDays: Int = 3,
        snapshotHour: Int = 14, roles: [String: SimRoleSettings] = [:], faults: SimFaults = SimFaults()
    ) {
        self.apiLatency = apiLatency
        self.bootTime = bootTime
        self.bootSpread = bootSpread
        self.healthDelay = healthDelay
        self.deleteTime = deleteTime
        self.snapshotDays = snapshotDays
        self.snapshotHour = snapshotHour
        self.roles = roles
        self.faults = faults
    }
}

/// How the sim treats one role.
public struct SimRoleSettings: Sendable, Hashable {
    /// A shell command started per node when it is created and stopped when it is deleted; a template
    /// knowing `{name}`, `{private_ip}`, `{port}` (a free TCP port), `{role}`, `{event}`.
    public var bootCommand: String?
    /// Pretend the newest snapshot of this role is this old (to rehearse a stale snapshot).
    public var snapshotAge: Duration?
    /// Pretend this role has no snapshot at all.
    public var noSnapshot: Bool

    public init(bootCommand: String? = nil, snapshotAge: Duration? = nil, noSnapshot: Bool = false) {
        self.bootCommand = bootCommand
        self.snapshotAge = snapshotAge
        self.noSnapshot = noSnapshot
    }
}

/// Provider faults to rehearse failure handling. Counters live in the database, so a fault that fires
/// "the first N times" spans processes.
public struct SimFaults: Sendable, Hashable {
    /// Node name → the error code its create fails with, every time (`resource_unavailable`).
    public var createErrors: [String: String]
    /// Nodes that never finish booting.
    public var neverRunning: Set<String>

    public init(createErrors: [String: String] = [:], neverRunning: Set<String> = []) {
        self.createErrors = createErrors
        self.neverRunning = neverRunning
    }
}
