import Foundation

/// An on-call decision that bends the calendar: keep the fleet, extend or skip an event, change a count.
public struct Override: Sendable, Hashable, Codable, Identifiable {
    public enum Action: Sendable, Hashable, Codable {
        /// Keep every owned node until the instant: no teardown before it.
        case hold(until: Date)
        /// Keep the windows holding the event up this much longer.
        case extend(eventID: Int64, by: Duration)
        /// Ignore the event: no scale-up for it.
        case skip(eventID: Int64)
        /// Use this many nodes of the role, for one event or for every window.
        case setCount(role: String, count: Int, eventID: Int64?)
    }

    public var id: Int64
    public var action: Action
    public var reason: String
    public var author: String
    public var createdAt: Date
    /// After this instant the override no longer applies; nil for "until cleared".
    public var expiresAt: Date?

    public init(id: Int64, action: Action, reason: String, author: String, createdAt: Date, expiresAt: Date?) {
        self.id = id
        self.action = action
        self.reason = reason
        self.author = author
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Whether it applies at `instant`: until it expires (event-scoped ones apply to their event's
    /// window, however long that lasts, so they carry no expiry of their own).
    public func isActive(at instant: Date) -> Bool { expiresAt.map { instant < $0 } ?? true }

    /// The event the override is scoped to, if any.
    public var eventID: Int64? {
        switch action {
        case .hold: nil
        case .extend(let event, _), .skip(let event): event
        case .setCount(_, _, let event): event
        }
    }

    /// `hold until 2026-11-23 23:59 CET by ana: final overran`
    public func summary(zone: TimeZone) -> String {
        let what: String
        switch action {
        case .hold(let until): what = "hold until \(TimeText.local(until, zone: zone))"
        case .extend(let event, let by): what = "extend event #\(event) by \(DurationText.format(by))"
        case .skip(let event): what = "skip event #\(event)"
        case .setCount(let role, let count, let event):
            what = "set \(role) to \(count)" + (event.map { " for event #\($0)" } ?? "")
        }
        return "#\(id) \(what) by \(author): \(reason)"
    }
}
