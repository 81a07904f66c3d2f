/// An iCalendar file (RFC 5545) read into series of events that can be expanded over a window.
///
/// Every file is either read faithfully or refused with the line and a reason: constructs whose
/// meaning RFC 5545 leaves open, or on which widely used implementations disagree, are refused
/// rather than guessed (see docs/calendars.md).
public struct ICalendar: Sendable {
    public var series: [Series]
    /// The zone of all-day events and floating times: X-WR-TIMEZONE when the file names one, else
    /// the zone the reader was given.
    public var localZone: Zone

    /// - Parameter localZone: the zone for all-day events and floating times when the file has no X-WR-TIMEZONE.
    /// - Throws: ``CalendarError`` with the line and reason of the first problem.
    public static func parse(_ bytes: [UInt8], localZone: Zone) throws(CalendarError) -> ICalendar {
        let roots = try Component.parse(ContentLine.parse(bytes))
        guard let calendar = roots.first else { throw CalendarError(line: 1, "the file has no BEGIN:VCALENDAR") }
        guard calendar.name == "VCALENDAR" else { throw CalendarError(line: calendar.line, "the file starts with BEGIN:\(calendar.name), not BEGIN:VCALENDAR") }
        if roots.count > 1 { throw CalendarError(line: roots[1].line, "the file holds more than one VCALENDAR") }
        var zones = ZoneResolver(timezones: calendar.children("VTIMEZONE"))
        var local = localZone
        var wrZone: Zone?
        if let property = calendar.first("X-WR-TIMEZONE") {
            let name = ContentLine.unescape(property.value).trimmingSpaces
            guard let zone = try zones.resolve(name, line: property.line) else {
                throw CalendarError(line: property.line, "X-WR-TIMEZONE \"\(name.prefix(60))\" is not a known time zone")
            }
            local = zone
            wrZone = zone
        }
        let reader = EventReader(zones: zones, calendarZone: wrZone)
        var byUID: [String: [EventComponent]] = [:]
        var order: [String] = []
        for component in calendar.children("VEVENT") {
            let event = try reader.read(component, zones: &zones)
            if byUID[event.uid] == nil { order.append(event.uid) }
            byUID[event.uid, default: []].append(event)
        }
        var series: [Series] = []
        for uid in order {
            series.append(try Series(uid: uid, components: byUID[uid] ?? []))
        }
        return ICalendar(series: series, localZone: local)
    }

    /// Occurrences that overlap `[from, to)` (a zero-length one: that starts in it), ordered by start,
    /// cancelled ones left out.
    /// - Throws: ``CalendarError`` when an occurrence in the window is one the file leaves ambiguous.
    public func occurrences(from: Int, to: Int) throws(CalendarError) -> [Occurrence] {
        var result: [Occurrence] = []
        for item in series {
            result += try item.occurrences(from: from, to: to, local: localZone)
        }
        return result.sorted { ($0.start, $0.end, $0.uid) < ($1.start, $1.end, $1.uid) }
    }
}
