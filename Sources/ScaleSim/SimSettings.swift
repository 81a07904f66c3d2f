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
    /// From running to ready, as the benchmark's readiness model sees it (`ready_at` on each node).
    public var readinessDelay: Duration = .zero
    /// A request budget like Hetzner's: refusals with 429 when it runs out.
    public var rateLimit: SimRateLimit?
    /// Server type → EUR per hour, for cost reports: demo prices unless `[provider.prices]` sets them.
    public var prices: [String: Double] = SimSettings.demoPrices
    /// Server type → the monthly cap in EUR, when given.
    public var monthlyPrices: [String: Double] = [:]
    /// From `scalectl snapshot` taking an image to it being available (physics time).
    public var snapshotTime: Duration = .seconds(2)
    /// What each image stores, for `cost`.
    public var snapshotSizeGB: Double = 20
    /// Servers outside any fleet that snapshots can be taken from: name → labels.
    public var templates: [String: [String: String]] = [:]
    /// The sim cloud's own state file (`[provider] state`); nil: ``SimCloud/defaultStatePath(beside:)``.
    public var statePath: String?
    /// Where nodes may be created, preferred first (`[provider] locations`); empty: one unnamed place.
    public var locations: [String] = []

    /// What the demo's server types cost in the sim (the example prices of `providers/hetzner.toml`),
    /// so its cost reports show money.
    public static let demoPrices: [String: Double] = ["cpx31": 0.0211, "cpx41": 0.0395]

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

/// A token bucket: `burst` requests at most, refilled at `perHour` an hour, starting at `initial`.
public struct SimRateLimit: Sendable, Hashable {
    public var perHour: Int
    public var burst: Int
    public var initial: Int?

    public init(perHour: Int = 3600, burst: Int = 3600, initial: Int? = nil) {
        self.perHour = perHour
        self.burst = burst
        self.initial = initial
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
    /// A run of consecutive API calls that fail: calls number `after + 1` to `after + count` (counted
    /// across processes), answered as `kind` says.
    public struct Burst: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// HTTP 503 `unavailable`.
            case serverError
            /// HTTP 429 `rate_limit_exceeded` with `Retry-After`.
            case rateLimited(retryAfter: Duration)
            /// No answer: the call hangs this long, then times out.
            case timeout(after: Duration)
        }

        public var after: Int
        public var count: Int
        public var kind: Kind

        public init(after: Int, count: Int, kind: Kind) {
            self.after = after
            self.count = count
            self.kind = kind
        }
    }

    /// Node name → the error code its create fails with, every time (`resource_unavailable`).
    public var createErrors: [String: String]
    /// Nodes that never finish booting.
    public var neverRunning: Set<String>
    /// Node name → how many of its boots start no process (it runs, but never gets ready).
    public var deadBoots: [String: Int]
    public var bursts: [Burst]
    /// The first this many attach calls fail with `attachError`.
    public var attachFailures: Int
    /// `conflict` (passing) or a lasting code such as `load_balancer_not_attached_to_network`.
    public var attachError: String
    /// The first this many delete calls fail with HTTP 503.
    public var deleteFailures: Int
    /// Server types that cannot be ordered, everywhere (`cpx31`) or in one location (`cpx31@fsn1`):
    /// creates there fail with `resource_unavailable`, preflight says so.
    public var unavailableTypes: Set<String> = []
    /// The most servers the simulated project may hold: creates beyond it fail with
    /// `resource_limit_exceeded`, and the quota reading reports it.
    public var serverLimit: Int?
    /// Load balancers that do not exist: attaching fails with `not_found`, preflight says so.
    public var missingBalancers: Set<String> = []
    /// Every API call fails with HTTP 401 `unauthorized`, as with a revoked token.
    public var rejectCredentials = false
    /// The first this many images taken end `failed` instead of `available`.
    public var snapshotFailures = 0
    /// Taking an image is refused at once with this error code (`unavailable`, `locked`).
    public var snapshotRefusal: String?

    /// Whether `serverType` cannot be ordered in `location` (nil: the sim's one unnamed place).
    public func isSoldOut(_ serverType: String, in location: String?) -> Bool {
        unavailableTypes.contains(serverType) || location.map { unavailableTypes.contains("\(serverType)@\($0)") } == true
    }

    public init(
        createErrors: [String: String] = [:], neverRunning: Set<String> = [], deadBoots: [String: Int] = [:],
        bursts: [Burst] = [], attachFailures: Int = 0, attachError: String = "conflict", deleteFailures: Int = 0
    ) {
        self.createErrors = createErrors
        self.neverRunning = neverRunning
        self.deadBoots = deadBoots
        self.bursts = bursts
        self.attachFailures = attachFailures
        self.attachError = attachError
        self.deleteFailures = deleteFailures
    }
}
