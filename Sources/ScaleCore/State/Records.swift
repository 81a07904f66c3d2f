import Foundation

public enum RunOutcome: String, Sendable, Codable {
    /// Still going (or its process died without a word; the next run marks it interrupted).
    case running
    case ok
    /// A step failed; an alert was sent.
    case failed
    /// Its process died; the next run took over.
    case interrupted
    /// Nothing to do.
    case idle
    /// The plan broke a cap (max_nodes): nothing was changed.
    case refused
}

public struct RunInfo: Sendable, Hashable, Codable {
    public var id: Int64
    public var command: String
    /// The instant the run acted for (pretended with `--at`).
    public var at: Date
    public var startedAt: Date
    public var endedAt: Date?
    public var outcome: RunOutcome
    public var pid: Int64
    public var host: String
    public var summary: String?
    public var error: String?

    public init(
        id: Int64, command: String, at: Date, startedAt: Date, endedAt: Date?, outcome: RunOutcome, pid: Int64, host: String,
        summary: String?, error: String?
    ) {
        self.id = id
        self.command = command
        self.at = at
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.pid = pid
        self.host = host
        self.summary = summary
        self.error = error
    }
}

public struct StepInfo: Sendable, Hashable, Codable {
    public var id: Int64
    public var role: String?
    public var kind: String
    public var target: String?
    public var detail: String
    public var startedAt: Date
    public var endedAt: Date?
    public var outcome: StepOutcome
    public var error: String?

    public var seconds: Double? { endedAt.map { $0.timeIntervalSince(startedAt) } }

    public init(
        id: Int64, role: String?, kind: String, target: String?, detail: String, startedAt: Date, endedAt: Date?,
        outcome: StepOutcome, error: String?
    ) {
        self.id = id
        self.role = role
        self.kind = kind
        self.target = target
        self.detail = detail
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.outcome = outcome
        self.error = error
    }
}

/// Who holds a fleet's run lock.
public struct LockHolder: Sendable, Hashable, Codable {
    public var runID: Int64
    public var command: String
    public var pid: Int32
    public var host: String
    /// The holder's start time in clock ticks since boot, so a reused pid is not mistaken for it.
    public var processStart: UInt64?
    public var since: Date
    public var heartbeat: Date

    public init(runID: Int64, command: String, pid: Int32, host: String, processStart: UInt64?, since: Date, heartbeat: Date) {
        self.runID = runID
        self.command = command
        self.pid = pid
        self.host = host
        self.processStart = processStart
        self.since = since
        self.heartbeat = heartbeat
    }

    /// `scalectl up` (run #12, pid 4242 on ops-1 since 2026-11-23T19:15:03Z)
    public var description: String {
        "`scalectl \(command)` (run #\(runID), pid \(pid) on \(host) since \(TimeText.iso(since)))"
    }
}

/// Another run holds the fleet's lock: nothing was changed.
public struct LockHeld: Error, Sendable, CustomStringConvertible {
    public var fleet: String
    public var holder: LockHolder

    public init(fleet: String, holder: LockHolder) {
        self.fleet = fleet
        self.holder = holder
    }

    public var description: String {
        "another run holds the lock of fleet \(fleet): \(holder.description). Nothing was changed. "
            + "Wait for it to finish; a lock left by a process that died is taken over by the next run."
    }
}

/// A run that was started, and the run whose stale lock it took over, if any.
public struct RunStart: Sendable {
    public var runID: Int64
    public var takenOver: LockHolder?

    public init(runID: Int64, takenOver: LockHolder?) {
        self.runID = runID
        self.takenOver = takenOver
    }
}

/// An event to add; the store gives it an id.
public struct NewEvent: Sendable, Hashable {
    public var name: String
    public var start: Date
    public var end: Date
    public var timeZone: String
    public var counts: [String: Int]
    public var notes: String?

    public init(name: String, start: Date, end: Date, timeZone: String, counts: [String: Int] = [:], notes: String? = nil) {
        self.name = name
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.counts = counts
        self.notes = notes
    }
}

/// A node the controller created (or adopted), from intent to gone.
public struct LedgerNode: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable {
        /// The create call was about to be made.
        case pending
        case created
        /// The create failed; no node was made.
        case failed
        case gone
    }

    public var name: String
    public var role: String
    public var event: String?
    public var serverType: String?
    public var runID: Int64?
    public var providerID: String?
    public var requestedAt: Date
    public var createdAt: Date?
    public var goneAt: Date?
    public var state: State

    public init(
        name: String, role: String, event: String?, serverType: String?, runID: Int64?, providerID: String?, requestedAt: Date,
        createdAt: Date?, goneAt: Date?, state: State
    ) {
        self.name = name
        self.role = role
        self.event = event
        self.serverType = serverType
        self.runID = runID
        self.providerID = providerID
        self.requestedAt = requestedAt
        self.createdAt = createdAt
        self.goneAt = goneAt
        self.state = state
    }
}

