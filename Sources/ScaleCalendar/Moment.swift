/// A DATE or DATE-TIME value as written: its wall-clock value and how it is anchored.
public struct Moment: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `VALUE=DATE`: a whole day, read in the calendar's zone.
        case date
        /// No `Z` and no `TZID`: the same wall-clock time wherever the reader is.
        case floating
        case utc
        case zoned(Zone)
    }

    public var wall: Wall
    public var kind: Kind

    public var isDate: Bool { kind == .date }

    /// The zone the wall-clock value is read in; dates and floating times use `local`.
    public func zone(local: Zone) -> Zone {
        switch kind {
        case .date, .floating: return local
        case .utc: return .utc
        case .zoned(let zone): return zone
        }
    }

    public func instant(local: Zone) -> Int { zone(local: local).instant(wall) }

    /// `20261123`, `20261123T210000` or `20261123T210000Z`.
    /// - Throws: ``CalendarError`` for anything else, or a date outside years 1–9999.
    static func parse(_ text: String, kind given: Kind?, line: Int) throws(CalendarError) -> Moment {
        let bytes = Array(text.trimmingSpaces.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        let problem = CalendarError(line: line, "\"\(text.prefix(40))\" is not an iCalendar date (20261123) or date-time (20261123T210000, …Z)")
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8) else { throw problem }
        guard year >= Civil.minYear, (1...12).contains(month), day >= 1, day <= Civil.daysInMonth(year, month) else {
            throw CalendarError(line: line, "\"\(text.prefix(40))\" is not a real date")
        }
        let days = Civil.days(year, month, day)
        if bytes.count == 8 {
            if let given, given != .date { throw CalendarError(line: line, "\"\(text)\" is a date where a date-time is needed") }
            return Moment(wall: Wall(days: days), kind: .date)
        }
        guard bytes.count == 15 || (bytes.count == 16 && bytes[15] == UInt8(ascii: "Z")), bytes[8] == UInt8(ascii: "T"),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15)
        else { throw problem }
        guard hour < 24, minute < 60, second < 60 else {
            throw CalendarError(line: line, "\"\(text.prefix(40))\" is not a real time of day (leap seconds are refused)")
        }
        let wall = Wall(days: days, time: hour * 3600 + minute * 60 + second)
        if given == .date { throw CalendarError(line: line, "\"\(text)\" is a date-time where VALUE=DATE says a date") }
        if bytes.count == 16 { return Moment(wall: wall, kind: .utc) }
        return Moment(wall: wall, kind: given ?? .floating)
    }
}

/// A DURATION value (RFC 5545 §3.3.6): nominal days (weeks are 7 days) plus exact seconds.
public struct NominalDuration: Sendable, Hashable {
    public var days: Int
    public var seconds: Int

    /// The longest duration accepted: 100 years. Longer values are refused as absurd.
    static let limitDays = 36_525

    /// `PT2H`, `P1D`, `-PT15M`, `P1W`, `P1DT2H30M`.
    static func parse(_ text: String, line: Int) throws(CalendarError) -> NominalDuration {
        var scalars = Substring(text.trimmingSpaces.uppercased())
        let problem = CalendarError(line: line, "\"\(text.prefix(40))\" is not a duration such as PT2H, P1D or P1W")
        var sign = 1
        if scalars.first == "+" || scalars.first == "-" {
            if scalars.first == "-" { sign = -1 }
            scalars.removeFirst()
        }
        guard scalars.first == "P" else { throw problem }
        scalars.removeFirst()
        var days = 0
        var seconds = 0
        var inTime = false
        var digits = ""
        var any = false
        for character in scalars {
            if character == "T", !inTime, digits.isEmpty { inTime = true; continue }
            if character.isASCII, character.isNumber { digits.append(character); continue }
            guard !digits.isEmpty, digits.count <= 9, let value = Int(digits) else {
                throw digits.count > 9 ? CalendarError(line: line, "the duration \"\(text.prefix(40))\" is absurdly long") : problem
            }
            digits = ""
            any = true
            switch (character, inTime) {
            case ("W", false): days += value * 7
            case ("D", false): days += value
            case ("H", true): seconds += value * 3600
            case ("M", true): seconds += value * 60
            case ("S", true): seconds += value
            default: throw problem
            }
        }
        guard digits.isEmpty, any else { throw problem }
        guard days + seconds / 86_400 <= limitDays else {
            throw CalendarError(line: line, "the duration \"\(text.prefix(40))\" is longer than 100 years")
        }
        return NominalDuration(days: sign * days, seconds: sign * seconds)
    }
}
