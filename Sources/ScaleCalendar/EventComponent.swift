/// A VEVENT's properties that recurrence needs, read and checked.
struct EventComponent: Sendable {
    enum Length: Sendable {
        case end(Moment, line: Int)
        case duration(NominalDuration, line: Int)
        case none
    }

    struct Extra: Sendable {
        var moment: Moment
        /// A PERIOD's own end; nil for the event's length.
        var end: Length?
    }

    var line: Int
    var uid: String
    var sequence: Int
    var lastModified: Int?
    var recurrenceID: Moment?
    var recurrenceIDLine: Int
    var start: Moment
    var startLine: Int
    var length: Length
    var rules: [RecurrenceRule]
    var rdates: [Extra]
    var exdates: [(Moment, line: Int)]
    var cancelled: Bool
    var summary: String?
    var description: String?
    var extra: [String: String]
    /// The properties as written, to tell an exact duplicate from a conflicting revision.
    var fingerprint: [String]

    var isRecurring: Bool { !rules.isEmpty || !rdates.isEmpty || !exdates.isEmpty }
}

/// Reads VEVENT blocks, resolving TZIDs and applying X-WR-TIMEZONE as Google means it: UTC and
/// floating date-times of the event are read in that zone (so a UTC weekly rule keeps its local time).
struct EventReader {
    var zones: ZoneResolver
    var calendarZone: Zone?

    func read(_ component: Component, zones: inout ZoneResolver) throws(CalendarError) -> EventComponent {
        func one(_ name: String) throws(CalendarError) -> ContentLine? {
            let found = component.all(name)
            if found.count > 1 { throw CalendarError(line: found[1].line, "the VEVENT has \(name) twice") }
            return found.first
        }
        func moment(_ property: ContentLine, _ text: String? = nil) throws(CalendarError) -> Moment {
            var kind: Moment.Kind?
            switch property.parameter("VALUE")?.uppercased() {
            case "DATE": kind = .date
            case nil, "DATE-TIME", "PERIOD": kind = nil
            case let other?: throw CalendarError(line: property.line, "\(property.name);VALUE=\(other.prefix(20)) is not a date or date-time")
            }
            if kind == nil, let tzid = property.parameter("TZID") {
                guard let zone = try zones.resolve(tzid, line: property.line) else {
                    throw CalendarError(line: property.line, "TZID \"\(tzid.prefix(60))\" is neither a known time zone nor defined by a VTIMEZONE in the file")
                }
                kind = .zoned(zone)
            }
            var value = try Moment.parse(text ?? property.value, kind: kind, line: property.line)
            if let calendarZone {
                switch value.kind {
                case .floating: value.kind = .zoned(calendarZone)
                case .utc: value = Moment(wall: calendarZone.wall(Zone.utc.instant(value.wall)), kind: .zoned(calendarZone))
                default: break
                }
            }
            return value
        }
        guard let dtstart = try one("DTSTART") else { throw CalendarError(line: component.line, "the VEVENT has no DTSTART") }
        let start = try moment(dtstart)
        let uid = try one("UID").map { ContentLine.unescape($0.value) } ?? "line-\(component.line)"
        var length = EventComponent.Length.none
        let dtend = try one("DTEND")
        let duration = try one("DURATION")
        if let dtend, duration != nil { throw CalendarError(line: dtend.line, "the VEVENT has both DTEND and DURATION") }
        if let dtend {
            let end = try moment(dtend)
            guard end.isDate == start.isDate else {
                throw CalendarError(line: dtend.line, "DTEND is a \(end.isDate ? "date" : "date-time") but DTSTART a \(start.isDate ? "date" : "date-time") (RFC 5545 requires the same type)")
            }
            length = .end(end, line: dtend.line)
        } else if let duration {
            let value = try NominalDuration.parse(duration.value, line: duration.line)
            if start.isDate, value.seconds != 0 {
                throw CalendarError(line: duration.line, "DURATION \(duration.value.prefix(20)) has hours on an all-day event (RFC 5545 allows only days and weeks)")
            }
            length = .duration(value, line: duration.line)
        }
        var rules: [RecurrenceRule] = []
        for property in component.all("RRULE") {
            let rule = try RecurrenceRule.parse(property.value, line: property.line)
            try checkUntil(rule, start: start)
            rules.append(rule)
        }
        if let property = component.first("EXRULE") { throw CalendarError(line: property.line, "EXRULE is refused (deprecated since RFC 5545)") }
        var rdates: [EventComponent.Extra] = []
        for property in component.all("RDATE") + component.all("EXDATE") where property.value.trimmingSpaces.isEmpty {
            throw CalendarError(line: property.line, "\(property.name) has no value")
        }
        for property in component.all("RDATE") {
            for item in property.value.split(separator: ",") {
                let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
                let value = try moment(property, parts[0])
                guard value.isDate == start.isDate else {
                    throw CalendarError(line: property.line, "RDATE \(item.prefix(30)) is a \(value.isDate ? "date" : "date-time") but DTSTART a \(start.isDate ? "date" : "date-time")")
                }
                var end: EventComponent.Length?
                if parts.count == 2 {
                    if parts[1].hasPrefix("P") || parts[1].hasPrefix("+P") || parts[1].hasPrefix("-P") {
                        end = .duration(try NominalDuration.parse(parts[1], line: property.line), line: property.line)
                    } else {
                        end = .end(try moment(property, parts[1]), line: property.line)
                    }
                }
                rdates.append(.init(moment: value, end: end))
            }
        }
        var exdates: [(Moment, line: Int)] = []
        for property in component.all("EXDATE") {
            for item in property.value.split(separator: ",") { exdates.append((try moment(property, String(item)), property.line)) }
        }
        var recurrenceID: Moment?
        var recurrenceIDLine = component.line
        if let property = try one("RECURRENCE-ID") {
            if let range = property.parameter("RANGE") {
                throw CalendarError(line: property.line, "RECURRENCE-ID;RANGE=\(range.prefix(20)) (this and future occurrences) is refused: enter the change as a new series")
            }
            recurrenceID = try moment(property)
            recurrenceIDLine = property.line
        }
        var sequence = -1
        if let property = try one("SEQUENCE") {
            guard let value = Int(property.value.trimmingSpaces), value >= 0, value < 1_000_000_000 else {
                throw CalendarError(line: property.line, "SEQUENCE \(property.value.prefix(20)) is not a whole number from 0")
            }
            sequence = value
        }
        let lastModified = try one("LAST-MODIFIED").map { property throws(CalendarError) in
            try Moment.parse(property.value, kind: nil, line: property.line).instant(local: .utc)
        }
        var extra: [String: String] = [:]
        for property in component.properties where property.name.hasPrefix("X-") { extra[property.name] = ContentLine.unescape(property.value) }
        return EventComponent(
            line: component.line, uid: uid, sequence: sequence, lastModified: lastModified, recurrenceID: recurrenceID,
            recurrenceIDLine: recurrenceIDLine, start: start, startLine: dtstart.line, length: length, rules: rules, rdates: rdates,
            exdates: exdates, cancelled: try one("STATUS").map { $0.value.trimmingSpaces.uppercased() == "CANCELLED" } ?? false,
            summary: try one("SUMMARY").map { ContentLine.unescape($0.value) },
            description: try one("DESCRIPTION").map { ContentLine.unescape($0.value) }, extra: extra,
            fingerprint: component.properties.map { "\($0.name);\($0.parameters.sorted { $0.key < $1.key }):\($0.value)" })
    }

    /// UNTIL must have DTSTART's type (RFC 5545 §3.3.10): a date for a date, UTC for a zoned time.
    private func checkUntil(_ rule: RecurrenceRule, start: Moment) throws(CalendarError) {
        guard let until = rule.until else { return }
        switch (start.kind, until.kind) {
        case (.date, .date), (.date, .utc), (.floating, .floating), (.utc, .utc), (.zoned, .utc): return
        case (.zoned, .date), (.utc, .date), (.floating, .date):
            throw CalendarError(line: rule.line, "RRULE UNTIL is a date but DTSTART a date-time (RFC 5545 requires a UTC date-time); applications disagree on the last day")
        default:
            throw CalendarError(line: rule.line, "RRULE UNTIL must be a UTC time (ending in Z) when DTSTART has a time zone, and a floating time when DTSTART is floating (RFC 5545 §3.3.10)")
        }
    }
}
