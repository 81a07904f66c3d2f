import Foundation

/// A calendar entry: something the extra fleet must be up for.
public struct Event: Sendable, Hashable, Codable, Identifiable {
    public var id: Int64
    public var name: String
    /// The instant the event starts (UTC inside).
    public var start: Date
    /// The instant it ends; always after `start`.
    public var end: Date
    /// The IANA time zone the event was entered in, for display.
    public var timeZone: String
    /// Per-role node counts that replace the configured ones for this event.
    public var counts: [String: Int]
    public var notes: String?

    public init(
        id: Int64, name: String, start: Date, end: Date, timeZone: String,
        counts: [String: Int] = [:], notes: String? = nil
    ) {
        self.id = id
        self.name = name
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.counts = counts
        self.notes = notes
    }

    /// The value of the `event` ownership label and of `{event}` in node names.
    public var label: String { String(id) }

    /// `#3 "Mihiluze gala"`: how messages name an event.
    public var title: String { "#\(id) \"\(name)\"" }
}
