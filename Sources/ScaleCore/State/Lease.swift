import Foundation

/// One controller process: where it runs and which process it is (a reused pid is told apart by its
/// start time).
public struct ControllerID: Sendable, Hashable, Codable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    public var processStart: UInt64?

    public init(host: String, pid: Int32, processStart: UInt64?) {
        self.host = host
        self.pid = pid
        self.processStart = processStart
    }

    /// This process.
    public static var current: ControllerID {
        let pid = getpid()
        return ControllerID(host: ProcessInfo.processInfo.hostName, pid: pid, processStart: ChildProcess.startTicks(of: pid))
    }

    /// `pid 4242 on ops-1`
    public var description: String { "pid \(pid) on \(host)" }
}

/// The fleet's leader lease: who may change the fleet until `expires`. Every takeover raises `epoch`, so an
/// intent written under an older epoch is refused (fencing).
public struct Lease: Sendable, Hashable, Codable {
    public var holder: ControllerID
    /// What holds it: `daemon`, or a one-shot command such as `up`.
    public var command: String
    public var epoch: Int64
    /// When this holder took it.
    public var since: Date
    public var expires: Date

    public init(holder: ControllerID, command: String, epoch: Int64, since: Date, expires: Date) {
        self.holder = holder
        self.command = command
        self.epoch = epoch
        self.since = since
        self.expires = expires
    }

    public func isLive(at instant: Date) -> Bool { expires > instant }

    /// `the daemon (pid 4242 on ops-1, epoch 7, until 2026-12-06T20:15:30Z)`
    public var description: String {
        "\(command == "daemon" ? "the daemon" : "`scalectl \(command)`") (\(holder), epoch \(epoch), until \(TimeText.iso(expires)))"
    }
}

/// A controller seen claiming the lease: the leader or one standing by.
public struct ControllerSeen: Sendable, Hashable, Codable {
    public var controller: ControllerID
    public var command: String
    public var seen: Date

    public init(controller: ControllerID, command: String, seen: Date) {
        self.controller = controller
        self.command = command
        self.seen = seen
    }
}

/// What claiming the lease gave.
public enum LeaseClaim: Sendable, Hashable {
    /// This controller leads; `tookOverFrom` is the lease it took over from another (expired) holder.
    case leading(Lease, tookOverFrom: Lease?)
    /// Another controller leads; this one stands by.
    case standingBy(leader: Lease)

    public var lease: Lease {
        switch self {
        case .leading(let lease, _), .standingBy(let lease): lease
        }
    }

    public var isLeading: Bool {
        if case .leading = self { true } else { false }
    }
}

/// Where the leader lease lives: in the same database as the journal, so an intent and the epoch check
/// that allows it are one transaction.
public protocol LeaseStore: Sendable {
    /// Takes the lease when it is free, expired or already ours (renewing it), or reports who holds it.
    /// Taking it from another holder raises the epoch. Either way the claimant is recorded as seen. A
    /// claim that leads arms the fence: from then on every journal step checks, in its own transaction,
    /// that this controller still holds the lease at that epoch.
    func claimLease(_ claimant: ControllerID, command: String, ttl: Duration) async throws -> LeaseClaim
    /// Gives the lease up now if this controller holds it (the epoch stays, so the next holder's is higher).
    func releaseLease(_ holder: ControllerID) async throws
    /// The lease as it stands (live or not), and the controllers seen since `seenSince`, newest first.
    func leadership(seenSince: Date) async throws -> (lease: Lease?, controllers: [ControllerSeen])
}

/// Another controller leads the fleet: nothing was changed.
public struct LeaseHeld: Error, Sendable, CustomStringConvertible {
    public var fleet: String
    public var leader: Lease

    public init(fleet: String, leader: Lease) {
        self.fleet = fleet
        self.leader = leader
    }

    public var description: String {
        "another controller leads fleet \(fleet): \(leader.description). Nothing was changed. "
            + "It runs the fleet; to change what it does, use `scalectl override`. A leader that died is replaced when its lease runs out."
    }
}

/// This controller no longer holds the lease (another took over, or it could not renew in time): it
/// stopped before its next change.
public struct LeaseLost: Error, Sendable, CustomStringConvertible {
    public var fleet: String
    public var holder: ControllerID
    public var epoch: Int64
    /// Who holds it now, when known.
    public var now: Lease?

    public init(fleet: String, holder: ControllerID, epoch: Int64, now: Lease?) {
        self.fleet = fleet
        self.holder = holder
        self.epoch = epoch
        self.now = now
    }

    public var description: String {
        let current = now.map { $0.holder == holder ? "its lease ran out (not renewed in time)" : "now held by \($0.description)" } ?? "no lease is held"
        return "this controller (\(holder)) lost the lead of fleet \(fleet) at epoch \(epoch): \(current). It stopped before its next change; "
            + "the leader carries on from the journal."
    }
}

/// How a run takes the leader lease: who claims it, for how long, and whether it keeps it afterwards.
public struct Leasing: Sendable {
    public var store: any LeaseStore
    public var controller: ControllerID
    public var ttl: Duration
    /// What the lease names as its holder's command; nil for a one-shot command, which names itself and
    /// gives the lease up when its run ends. The daemon sets `daemon` and keeps it between runs.
    public var command: String?

    public init(store: any LeaseStore, controller: ControllerID = .current, ttl: Duration, command: String? = nil) {
        self.store = store
        self.controller = controller
        self.ttl = ttl
        self.command = command
    }
}

extension LeaseClaim {
    /// The one rule both stores apply, inside the transaction that read `current`: the lease is free
    /// when there is none, it ran out, or its holder is a process of this host that is gone; a claimant
    /// that holds it renews it (same epoch); taking it from another raises the epoch. When the claim
    /// leads, its lease is what the store writes.
    public static func decide(current: Lease?, claimant: ControllerID, command: String, ttl: Duration, now: Date, host: String) -> LeaseClaim {
        if let current, current.holder != claimant, current.isLive(at: now), !current.holder.isGone(seenFrom: host) {
            return .standingBy(leader: current)
        }
        let renewing = current.map { $0.holder == claimant && $0.isLive(at: now) } ?? false
        let lease = Lease(
            holder: claimant, command: command, epoch: renewing ? current?.epoch ?? 1 : (current?.epoch ?? 0) + 1,
            since: renewing ? current?.since ?? now : now, expires: now + ttl.timeInterval)
        return .leading(lease, tookOverFrom: renewing || current?.holder == claimant ? nil : current)
    }
}

extension Lease {
    /// Whether a run lock taken under `epoch` is stale for the holder of this lease: its leader lost the
    /// lease since (nil: a lock from before leases, judged by its heartbeat instead).
    public func supersedes(_ epoch: Int64?) -> Bool {
        guard let epoch else { return false }
        return self.epoch > epoch
    }

    /// Fencing, inside the transaction that writes an intent: the lease this process leads under
    /// (`self`) must still be the one in the store (`current`), live at `now`.
    /// - Throws: ``LeaseLost`` naming who holds it now.
    /// `lockRun` is the run that holds the fleet's run lock: the run writing the intent must still hold
    /// it (a newer leader takes the lock of a run from an older epoch, and that run must not go on, even
    /// if this process leads again by then).
    public func check(against current: Lease?, fleet: String, now: Date, run: Int64, lockRun: Int64?) throws {
        guard let current, current.holder == holder, current.epoch == epoch, current.isLive(at: now), lockRun == run else {
            throw LeaseLost(fleet: fleet, holder: holder, epoch: epoch, now: current)
        }
    }
}
