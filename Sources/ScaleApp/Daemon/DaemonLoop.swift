import Foundation
import Logging
import ScaleCore

/// The daemon's timing: reconcile at start (resuming whatever a dead run left), exactly at each window
/// start and end and override expiry, every `interval` while a window is open, and soon after the
/// calendar or overrides change. Between wakes it sleeps, glancing at the database every `watch`.
struct DaemonLoop: Sendable {
    var clock: any ScaleClock
    var interval: Duration
    var watch: Duration
    /// How long to wait before trying again when another run holds the lock.
    var lockRetry: Duration = .seconds(30)
    /// The windows and overrides as they stand now.
    var schedule: @Sendable () async throws -> (windows: [Window], overrides: [Override])
    /// Changes whenever the calendar or the overrides change.
    var fingerprint: @Sendable () async throws -> String
    /// One reconcile run; the reason is for the log.
    var reconcile: @Sendable (String) async -> ExitStatus
    /// Role → minutes after local midnight (`snapshot.take_at`): the daily snapshots, taken on the dot.
    var snapshotTimes: [String: Int] = [:]
    /// The zone `take_at` is read in.
    var zone: TimeZone = .gmt
    /// Takes the daily snapshots of these roles (one `snapshot` run).
    var takeSnapshots: @Sendable ([String]) async -> ExitStatus = { _ in .ok }
    /// Told the next wake after each run, for metrics.
    var nextWake: @Sendable (Schedule.Wake?) async -> Void = { _ in }
    /// Told when the schedule cannot be read (the database is unreachable), once per spell, and when it can again.
    var problem: @Sendable (String) -> Void = { _ in }
    var logger: Logger

    func run() async throws {
        var seen = (try? await fingerprint()) ?? ""
        var reason: String? = "start"
        var lastRun: Date?
        var decided: Date?
        var retryAt: Date?
        var snapshotAt = nextSnapshot(after: clock.now())
        var unreadable = false
        while !Task.isCancelled {
            if let why = reason {
                logger.info("Reconciling", metadata: ["daemon.reason": "\(why)"])
                decided = clock.now()
                let status = await reconcile(why)
                lastRun = clock.now()
                retryAt = status == .locked ? clock.now() + lockRetry : nil
                reason = nil
            }
            let windows: [Window], overrides: [Override]
            do {
                (windows, overrides) = try await schedule()
            } catch let error where !(error is CancellationError) {
                // The database is away: keep trying every `watch`, and run as soon as it is back.
                if !unreadable { problem("daemon: cannot read the calendar: \(error); trying again every \(DurationText.format(watch))") }
                unreadable = true
                try await clock.sleep(for: watch)
                continue
            }
            if unreadable {
                unreadable = false
                problem("daemon: the calendar can be read again; reconciling")
                reason = "the database answers again"
                continue
            }
            var wake = Schedule.nextWake(now: clock.now(), decided: decided, windows: windows, overrides: overrides, lastRun: lastRun, interval: interval)
            if let retryAt, retryAt < wake?.at ?? .distantFuture { wake = Schedule.Wake(at: retryAt, reason: .interval) }
            await nextWake(wake)
            while reason == nil {
                let now = clock.now()
                if let due = snapshotAt, now >= due.at {
                    logger.info("Taking the daily snapshots", metadata: ["daemon.roles": "\(due.roles.joined(separator: ","))"])
                    let status = await takeSnapshots(due.roles)
                    snapshotAt = status == .locked ? (clock.now() + lockRetry, due.roles) : nextSnapshot(after: due.at)
                    continue
                }
                if let wake, now >= wake.at {
                    reason = Self.describe(wake.reason)
                    break
                }
                let until = [wake?.at, snapshotAt?.at].compactMap { $0 }.min()
                try await clock.sleep(for: until.map { min(watch, $0.since(now)) } ?? watch)
                if let current = try? await fingerprint(), current != seen {
                    seen = current
                    reason = "the calendar or the overrides changed"
                }
            }
        }
    }

    /// The next `take_at` strictly after `instant` and the roles due then.
    func nextSnapshot(after instant: Date) -> (at: Date, roles: [String])? {
        let times = snapshotTimes.map { (role: $0.key, at: SnapshotPolicy.nextTake(after: instant, minutes: $0.value, zone: zone)) }
        guard let first = times.map(\.at).min() else { return nil }
        return (first, times.filter { $0.at == first }.map(\.role).sorted())
    }

    static func describe(_ reason: Schedule.Wake.Reason) -> String {
        switch reason {
        case .windowOpens(let event): "the window of event #\(event) opens"
        case .windowCloses(let event): "the window of event #\(event) closes"
        case .overrideExpires(let id): "override #\(id) expires"
        case .interval: "periodic check"
        }
    }
}
