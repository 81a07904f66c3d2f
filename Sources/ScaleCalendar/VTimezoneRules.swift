/// A zone built from a VTIMEZONE block's STANDARD and DAYLIGHT observances (RFC 5545 §3.6.5), for a
/// TZID that is not a known zone. Transitions are computed up to the year 2200.
enum VTimezoneRules {
    static let lastWall = Wall(days: Civil.days(2200, 1, 1))
    /// Transitions before 1900 are not computed (Outlook starts its rules in 1601).
    static let firstWall = Wall(days: Civil.days(1900, 1, 1))

    static func zone(_ block: Component, identifier: String) throws(CalendarError) -> Zone? {
        var changes: [Zone.Transition] = []
        var earliest: (at: Int, from: Int)?
        let observances = block.children.filter { $0.name == "STANDARD" || $0.name == "DAYLIGHT" }
        guard !observances.isEmpty else { throw CalendarError(line: block.line, "the VTIMEZONE has no STANDARD or DAYLIGHT rules") }
        for observance in observances {
            guard let dtstart = observance.first("DTSTART"), let fromLine = observance.first("TZOFFSETFROM"), let toLine = observance.first("TZOFFSETTO") else {
                throw CalendarError(line: observance.line, "the \(observance.name) rule needs DTSTART, TZOFFSETFROM and TZOFFSETTO")
            }
            let from = try offset(fromLine)
            let to = try offset(toLine)
            let start = try Moment.parse(dtstart.value, kind: .floating, line: dtstart.line)
            var onsets = [start.wall]
            for property in observance.all("RRULE") {
                let rule = try RecurrenceRule.parse(property.value, line: property.line)
                onsets += try rule.starts(from: start.wall, isDate: false, low: max(start.wall, firstWall), high: lastWall) { wall in
                    guard let until = rule.until else { return false }
                    return until.kind == .utc ? wall.seconds - from > until.wall.seconds : wall > until.wall
                }
            }
            for property in observance.all("RDATE") {
                for item in property.value.split(separator: ",") {
                    onsets.append(try Moment.parse(String(item), kind: nil, line: property.line).wall)
                }
            }
            for wall in onsets {
                let at = wall.seconds - from
                changes.append(Zone.Transition(at: at, offset: to))
                if earliest.map({ at < $0.at }) ?? true { earliest = (at, from) }
            }
        }
        changes.sort { $0.at < $1.at }
        return Zone(identifier: identifier, rules: .transitions(initial: earliest?.from ?? 0, changes: changes))
    }

    /// `+0100`, `-0500`, `+053000` as seconds east of UTC.
    static func offset(_ property: ContentLine) throws(CalendarError) -> Int {
        let text = property.value.trimmingSpaces
        let digits = text.dropFirst()
        guard let sign = text.first, sign == "+" || sign == "-", digits.count == 4 || digits.count == 6,
              digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else {
            throw CalendarError(line: property.line, "\(property.name) \"\(text.prefix(20))\" is not a UTC offset such as +0100")
        }
        let (h, m, s) = digits.count == 4 ? (value / 100, value % 100, 0) : (value / 10000, value / 100 % 100, value % 100)
        guard h < 24, m < 60, s < 60 else { throw CalendarError(line: property.line, "\(property.name) \"\(text)\" is out of range") }
        return (sign == "-" ? -1 : 1) * (h * 3600 + m * 60 + s)
    }
}
