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
    /// Told the next wake after each run, for metrics.
    var nextWake: @Sendable (Schedule.Wake?) async -> Void = { _ in }
    var logger: Logger

    func run() async throws {
        var seen = (try? await fingerprint()) ?? ""
        var reason: String? = "start"
        var lastRun: Date?
        var retryAt: Date?
        while !Task.isCancelled {
            if let why = reason {
                logger.info("Reconciling", metadata: ["daemon.reason": "\(why)"])
                let status = await reconcile(why)
                lastRun = clock.now()
                retryAt = status == .locked ? clock.now() + lockRetry : nil
                reason = nil
            }
            let (windows, overrides) = try await schedule()
            var wake = Schedule.nextWake(now: clock.now(), windows: windows, overrides: overrides, lastRun: lastRun, interval: interval)
            if let retryAt, retryAt < wake?.at ?? .distantFuture { wake = Schedule.Wake(at: retryAt, reason: .interval) }
            await nextWake(wake)
            while reason == nil {
                let now = clock.now()
                if let wake, now >= wake.at {
                    reason = Self.describe(wake.reason)
                    break
                }
                try await clock.sleep(for: wake.map { min(watch, $0.at.since(now)) } ?? watch)
                if let current = try? await fingerprint(), current != seen {
                    seen = current
                    reason = "the calendar or the overrides changed"
                }
            }
        }
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
