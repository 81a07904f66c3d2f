import Foundation
import ScaleCore

/// Reads iCalendar (RFC 5545) files into unchecked event inputs, expanding recurrences over a horizon.
///
/// Supported: VEVENT with SUMMARY, DTSTART and DTEND or DURATION (UTC `Z`, `TZID=` an IANA zone,
/// floating times in the default zone, or all-day `VALUE=DATE`), DESCRIPTION (notes),
/// `X-SCALECTL-COUNTS` (`frontal=6 celery=4`), STATUS:CANCELLED (skipped), EXDATE, and RRULE with
/// FREQ=DAILY or WEEKLY, INTERVAL, COUNT, UNTIL and (weekly) BYDAY. Refused, naming the line: other
/// frequencies and BY* parts, RDATE, and RECURRENCE-ID (changed occurrences). VTIMEZONE blocks are
/// ignored: zones come from the time-zone database by their TZID, so daylight saving is handled there.
enum ICalendar {
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var problem: String
        var description: String { "line \(line): \(problem)" }
    }

    /// Occurrences that end after `from` and start before `to`, each with the line its VEVENT starts on.
    static func events(_ text: String, defaultZone: TimeZone, from: Date, to: Date) throws(Failure) -> [(line: Int, input: EventInput)] {
        var result: [(Int, EventInput)] = []
        var current: [Property]?
        var begin = 0
        var skipping: String?
        for property in try unfold(text) {
            if let block = skipping {
                if property.name == "END", property.value.uppercased() == block { skipping = nil }
                continue
            }
            switch (property.name, property.value.uppercased()) {
            case ("BEGIN", "VEVENT"):
                current = []
                begin = property.line
            case ("END", "VEVENT"):
                guard let properties = current else { throw Failure(line: property.line, problem: "END:VEVENT without BEGIN:VEVENT") }
                result += try occurrences(of: properties, line: begin, defaultZone: defaultZone, from: from, to: to).map { (begin, $0) }
                current = nil
            case ("BEGIN", let block) where block != "VCALENDAR":
                skipping = block  // VTIMEZONE, VALARM, VTODO, ...
            default:
                current?.append(property)
            }
        }
        if current != nil { throw Failure(line: begin, problem: "a VEVENT is never closed with END:VEVENT") }
        return result
    }

    // MARK: Lines

    struct Property {
        var line: Int
        var name: String
        var parameters: [String: String]
        var value: String
    }

    /// Unfolds continuation lines and splits `NAME;PARAM=V:value`.
    static func unfold(_ text: String) throws(Failure) -> [Property] {
        var logical: [(Int, String)] = []
        for (index, raw) in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let first = raw.first, first == " " || first == "\t", !logical.isEmpty {
                logical[logical.count - 1].1 += raw.dropFirst()
            } else if !raw.trimmingCharacters(in: .whitespaces).isEmpty {
                logical.append((index + 1, String(raw)))
            }
        }
        return try logical.map { line, content throws(Failure) in
            var inQuotes = false
            var colon: String.Index?
            for index in content.indices {
                if content[index] == "\"" { inQuotes.toggle() }
                if content[index] == ":", !inQuotes { colon = index; break }
            }
            guard let colon else { throw Failure(line: line, problem: "\"\(content.prefix(40))\" is not NAME:value") }
            let head = content[..<colon].split(separator: ";").map(String.init)
            var parameters: [String: String] = [:]
            for parameter in head.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { parameters[pair[0].uppercased()] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            return Property(line: line, name: (head.first ?? "").uppercased(), parameters: parameters, value: String(content[content.index(after: colon)...]))
        }
    }

    // MARK: Events

    private static func occurrences(of properties: [Property], line: Int, defaultZone: TimeZone, from: Date, to: Date) throws(Failure) -> [EventInput] {
        func one(_ name: String) -> Property? { properties.first { $0.name == name } }
        if let status = one("STATUS"), status.value.uppercased() == "CANCELLED" { return [] }
        for unsupported in ["RDATE", "RECURRENCE-ID"] {
            if let property = one(unsupported) {
                throw Failure(line: property.line, problem: "\(unsupported) is not supported (enter changed occurrences as events of their own)")
            }
        }
        guard let summary = one("SUMMARY").map({ unescape($0.value) }), !summary.isEmpty else {
            throw Failure(line: line, problem: "the VEVENT has no SUMMARY (it names the event)")
        }
        guard let dtstart = one("DTSTART") else { throw Failure(line: line, problem: "the VEVENT \"\(summary)\" has no DTSTART") }
        let (start, zone) = try instant(dtstart, defaultZone: defaultZone)
        let length: TimeInterval
        if let dtend = one("DTEND") {
            length = try instant(dtend, defaultZone: defaultZone).0.timeIntervalSince(start)
        } else if let duration = one("DURATION") {
            guard let value = isoDuration(duration.value) else { throw Failure(line: duration.line, problem: "\"\(duration.value)\" is not a duration such as PT2H") }
            length = value
        } else {
            length = dtstart.parameters["VALUE"]?.uppercased() == "DATE" ? 86_400 : 0
        }
        var excluded = Set<Date>()
        for property in properties where property.name == "EXDATE" {
            for value in property.value.split(separator: ",") {
                let single = Property(line: property.line, name: "EXDATE", parameters: property.parameters, value: String(value))
                excluded.insert(try instant(single, defaultZone: defaultZone).0)
            }
        }
        let starts: [Date]
        if let rule = one("RRULE") {
            starts = try expand(rule, start: start, zone: zone, until: to)
        } else {
            starts = [start]
        }
        let counts = one("X-SCALECTL-COUNTS").map { EventInput.splitCounts($0.value) } ?? []
        let notes = one("DESCRIPTION").map { unescape($0.value) }
        return starts.filter { !excluded.contains($0) && $0 + .seconds(length) > from && $0 < to }.map { occurrence in
            EventInput(
                name: summary, start: TimeText.iso(occurrence), end: TimeText.iso(occurrence + .seconds(length)),
                timeZone: zone.identifier, counts: counts, notes: notes)
        }
    }

    /// A DATE-TIME (`20261123T210000Z`, with `TZID=`, or floating) or a DATE, as an instant and its zone.
    static func instant(_ property: Property, defaultZone: TimeZone) throws(Failure) -> (Date, TimeZone) {
        var zone = defaultZone
        if let tzid = property.parameters["TZID"] {
            guard let named = TimeText.zone(tzid) else {
                throw Failure(line: property.line, problem: "TZID \"\(tzid)\" is not an IANA time zone such as Europe/Madrid")
            }
            zone = named
        }
        let value = property.value.trimmingCharacters(in: .whitespaces)
        let digits = value.filter(\.isNumber)
        guard digits.count == 8 || digits.count == 14,
              value.count == 8 || value.count == 15 || (value.count == 16 && value.hasSuffix("Z"))
        else {
            throw Failure(line: property.line, problem: "\"\(value)\" is not an iCalendar date or date-time such as 20261123T210000Z")
        }
        func part(_ offset: Int, _ length: Int) -> String { String(digits.dropFirst(offset).prefix(length)) }
        var text = "\(part(0, 4))-\(part(4, 2))-\(part(6, 2))"
        if digits.count == 14 { text += "T\(part(8, 2)):\(part(10, 2)):\(part(12, 2))" }
        if value.hasSuffix("Z") {
            text += "Z"
            zone = TimeZone(identifier: "UTC") ?? .gmt  // a UTC time recurs in UTC
        }
        do {
            return (try TimeText.parse(text, zone: zone), zone)
        } catch {
            throw Failure(line: property.line, problem: error.description)
        }
    }

    /// Occurrence starts of a daily or weekly rule, keeping the local wall-clock time across DST changes.
    static func expand(_ rule: Property, start: Date, zone: TimeZone, until horizon: Date) throws(Failure) -> [Date] {
        var parts: [String: String] = [:]
        for item in rule.value.split(separator: ";") {
            let pair = item.split(separator: "=", maxSplits: 1).map { String($0).uppercased() }
            guard pair.count == 2 else { throw Failure(line: rule.line, problem: "\"\(item)\" is not PART=value") }
            parts[pair[0]] = pair[1]
        }
        for key in parts.keys where !["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"].contains(key) {
            throw Failure(line: rule.line, problem: "RRULE part \(key) is not supported (only FREQ=DAILY or WEEKLY with INTERVAL, COUNT, UNTIL, BYDAY)")
        }
        let frequency = parts["FREQ"] ?? ""
        guard frequency == "DAILY" || frequency == "WEEKLY" else {
            throw Failure(line: rule.line, problem: "RRULE FREQ=\(frequency) is not supported (only DAILY and WEEKLY)")
        }
        guard let interval = Int(parts["INTERVAL"] ?? "1"), interval >= 1 else { throw Failure(line: rule.line, problem: "INTERVAL must be a whole number of 1 or more") }
        let count = try parts["COUNT"].map { text throws(Failure) -> Int in
            guard let value = Int(text), value >= 1 else { throw Failure(line: rule.line, problem: "COUNT must be a whole number of 1 or more") }
            return value
        }
        let until = try parts["UNTIL"].map { text throws(Failure) in
            try instant(Property(line: rule.line, name: "UNTIL", parameters: [:], value: text), defaultZone: zone).0
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let weekdays = ["SU": 1, "MO": 2, "TU": 3, "WE": 4, "TH": 5, "FR": 6, "SA": 7]
        let byDay = try (parts["BYDAY"]?.split(separator: ",") ?? []).map { day throws(Failure) -> Int in
            guard frequency == "WEEKLY", let weekday = weekdays[String(day)] else {
                throw Failure(line: rule.line, problem: "BYDAY=\(day) is not supported (weekly rules with plain days such as MO,WE)")
            }
            return weekday
        }
        let time = calendar.dateComponents([.hour, .minute, .second], from: start)
        let startDay = calendar.startOfDay(for: start)
        // Days from the start (weekly: from the Monday of the start's week) with their local wall-clock time.
        let weekday = calendar.component(.weekday, from: start)
        let monday = calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: startDay) ?? startDay
        var result: [Date] = []
        for step in 0..<5000 {
            var candidates: [Date] = []
            if frequency == "DAILY" {
                candidates = [calendar.date(byAdding: .day, value: step * interval, to: startDay)].compactMap { $0 }
            } else {
                let days = byDay.isEmpty ? [weekday] : byDay.sorted { ($0 + 5) % 7 < ($1 + 5) % 7 }
                candidates = days.compactMap { calendar.date(byAdding: .day, value: step * 7 * interval + ($0 + 5) % 7, to: monday) }
            }
            for day in candidates {
                var components = calendar.dateComponents([.year, .month, .day], from: day)
                components.hour = time.hour
                components.minute = time.minute
                components.second = time.second
                guard let occurrence = calendar.date(from: components), occurrence >= start else { continue }
                if let until, occurrence > until { return result }
                if occurrence >= horizon { return result }
                result.append(occurrence)
                if let count, result.count >= count { return result }
            }
        }
        return result
    }

    /// ISO 8601 durations as iCalendar writes them: `PT2H`, `PT1H30M`, `P1D`, `P1W`.
    static func isoDuration(_ text: String) -> TimeInterval? {
        var rest = Substring(text.uppercased())
        guard rest.hasPrefix("P") else { return nil }
        rest = rest.dropFirst()
        var total = 0.0
        var inTime = false
        var number = ""
        for character in rest {
            if character == "T" { inTime = true; continue }
            if character.isNumber { number.append(character); continue }
            guard let value = Double(number) else { return nil }
            number = ""
            switch (character, inTime) {
            case ("W", false): total += value * 604_800
            case ("D", false): total += value * 86_400
            case ("H", true): total += value * 3600
            case ("M", true): total += value * 60
            case ("S", true): total += value
            default: return nil
            }
        }
        return number.isEmpty && total > 0 ? total : nil
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\N", with: "\n")
            .replacingOccurrences(of: "\\,", with: ",").replacingOccurrences(of: "\\;", with: ";")
            .replacingOccurrences(of: "\\\\", with: "\\")
    }
}
