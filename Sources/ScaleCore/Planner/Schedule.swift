import Foundation

/// When a long-running controller must act next: exactly at window starts and ends and at override
/// expiries, and every `interval` while a window is open (to replace a node that died, re-attach one
/// that was detached). A pure function, tested on virtual time.
public enum Schedule {
    public struct Wake: Sendable, Hashable {
        public enum Reason: Sendable, Hashable {
            case windowOpens(Int64)
            case windowCloses(Int64)
            case overrideExpires(Int64)
            case interval
        }

        public var at: Date
        public var reason: Reason

        public init(at: Date, reason: Reason) {
            self.at = at
            self.reason = reason
        }
    }

    /// Every instant after `now` at which the desired fleet may change.
    public static func transitions(windows: [Window], overrides: [Override], after now: Date) -> [Wake] {
        var wakes: [Wake] = []
        for window in windows {
            if window.start > now { wakes.append(Wake(at: window.start, reason: .windowOpens(window.primary.id))) }
            if window.end > now { wakes.append(Wake(at: window.end, reason: .windowCloses(window.primary.id))) }
        }
        for override in overrides {
            if let expiry = override.expiresAt, expiry > now { wakes.append(Wake(at: expiry, reason: .overrideExpires(override.id))) }
        }
        return wakes.sorted { $0.at < $1.at }
    }

    /// The next wake: the next transition, or sooner the next periodic check while a window covers
    /// `now`; nil when nothing is scheduled (wait for the calendar to change).
    ///
    /// `decided` is when the last run read the schedule (its start). A transition between then and `now`
    /// (a window that closed while that run was still ensuring it) is due at once: the last run decided
    /// without it, and no later transition may come to correct that.
    public static func nextWake(
        now: Date, decided: Date? = nil, windows: [Window], overrides: [Override], lastRun: Date?, interval: Duration
    ) -> Wake? {
        let transition = transitions(windows: windows, overrides: overrides, after: min(decided ?? now, now)).first
            .map { Wake(at: max($0.at, now), reason: $0.reason) }
        guard windows.contains(where: { $0.covers(now) }) else { return transition }
        let periodic = Wake(at: max(now, (lastRun ?? now) + interval), reason: .interval)
        guard let transition else { return periodic }
        return transition.at <= periodic.at ? transition : periodic
    }
}
