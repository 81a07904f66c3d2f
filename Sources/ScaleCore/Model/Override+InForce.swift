import Foundation

extension Override {
    /// The overrides in force at `now`: those not past their expiry, and of the event-scoped ones
    /// (`extend`, `skip`, `set --event`) those whose event's window, extensions included, has not ended.
    /// An override for an event that is gone from `events` (removed, or ended long before) is not in force.
    public static func inForce(_ overrides: [Override], events: [Event], lead: Duration, margin: Duration, at now: Date) -> [Override] {
        let unexpired = overrides.filter { $0.isActive(at: now) }
        var extensions: [Int64: Duration] = [:]
        for override in unexpired {
            if case .extend(let event, let by) = override.action { extensions[event, default: .zero] += by }
        }
        // Skipped events keep their windows here: a skip lasts as long as the window it cancels would have.
        let windows = Window.merged(events, lead: lead, margin: margin, extensions: extensions)
        return unexpired.filter { override in
            guard let event = override.eventID else { return true }
            return windows.contains { window in now < window.end && window.events.contains { $0.id == event } }
        }
    }
}
