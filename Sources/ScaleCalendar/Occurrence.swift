/// One occurrence of an event, as instants (seconds since 1970, UTC).
public struct Occurrence: Sendable, Hashable {
    /// The event's UID (or `line-N` when the VEVENT has none).
    public var uid: String
    /// The instant of the occurrence in the series before any change (RECURRENCE-ID), the key of a
    /// subscribed occurrence; the start itself for an event that does not repeat.
    public var recurrenceID: Int
    /// The line of the VEVENT this occurrence comes from.
    public var line: Int
    public var summary: String?
    public var description: String?
    public var start: Int
    public var end: Int
    public var isAllDay: Bool
    /// The zone the event was written in (IANA identifier), for display.
    public var zone: String
    /// Other properties of the VEVENT (such as X-SCALECTL-COUNTS), unescaped values.
    public var extra: [String: String]
}
