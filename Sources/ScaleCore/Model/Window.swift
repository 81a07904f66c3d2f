import Foundation

/// When the extra fleet should exist: `[start - lead, end + margin]` of one or more events.
///
/// Overlapping or adjacent windows merge; the merged window is named after its first event, so
/// nodes keep their names across a merge.
public struct Window: Sendable, Hashable {
    public var start: Date
    public var end: Date
    /// The events in this window, earliest first; never empty.
    public var events: [Event]

    public init(start: Date, end: Date, events: [Event]) {
        precondition(!events.isEmpty, "a window has at least one event")
        self.start = start
        self.end = end
        self.events = events
    }

    /// The event whose label the window's nodes carry.
    public var primary: Event { events[0] }

    public func covers(_ instant: Date) -> Bool { start <= instant && instant < end }

    /// The windows of `events`, merged and sorted by start.
    public static func merged(
        _ events: [Event], lead: Duration, margin: Duration, extensions: [Int64: Duration] = [:]
    ) -> [Window] {
        let single = events.map { event in
            Window(start: event.start - lead, end: event.end + margin + (extensions[event.id] ?? .zero), events: [event])
        }
        .sorted { ($0.start, $0.primary.id) < ($1.start, $1.primary.id) }
        var result: [Window] = []
        for window in single {
            if var last = result.last, window.start <= last.end {
                last.end = max(last.end, window.end)
                last.events.append(contentsOf: window.events)
                result[result.count - 1] = last
            } else {
                result.append(window)
            }
        }
        return result
    }
}
