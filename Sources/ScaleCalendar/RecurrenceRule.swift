/// An RRULE (RFC 5545 §3.3.10) with FREQ DAILY, WEEKLY, MONTHLY or YEARLY and the BY* parts calendar
/// applications write. Parts RFC 5545 forbids for a frequency, and combinations whose meaning
/// implementations disagree on, are refused with the line rather than guessed.
public struct RecurrenceRule: Sendable, Hashable {
    public enum Frequency: String, Sendable, Hashable { case daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY" }

    public struct WeekdayNumber: Sendable, Hashable {
        /// 0 for every such weekday, else the nth (negative: from the end) in the month or year.
        public var ordinal: Int
        /// Monday 0 … Sunday 6.
        public var weekday: Int
    }

    public var line: Int
    public var frequency: Frequency
    public var interval = 1
    public var count: Int?
    public var until: Moment?
    public var byDay: [WeekdayNumber] = []
    public var byMonthDay: [Int] = []
    public var byMonth: [Int] = []
    public var byYearDay: [Int] = []
    public var byWeekNo: [Int] = []
    public var bySetPos: [Int] = []
    public var byHour: [Int] = []
    public var byMinute: [Int] = []
    public var bySecond: [Int] = []
    public var weekStart = 0

    static let maxInterval = 10_000
    static let maxCount = 100_000

    /// - Throws: ``CalendarError`` naming the line for an unknown, repeated, out-of-range or unsupported part.
    public static func parse(_ text: String, line: Int) throws(CalendarError) -> RecurrenceRule {
        var parts: [String: String] = [:]
        for item in text.trimmingSpaces.split(separator: ";", omittingEmptySubsequences: true) {
            let pair = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces.uppercased() }
            guard pair.count == 2, !pair[1].isEmpty else { throw CalendarError(line: line, "RRULE part \"\(item.prefix(40))\" is not NAME=value") }
            guard parts[pair[0]] == nil else { throw CalendarError(line: line, "RRULE part \(pair[0]) appears twice") }
            parts[pair[0]] = pair[1]
        }
        let known: Set<String> = ["FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "BYHOUR", "BYMINUTE", "BYSECOND", "WKST"]
        for key in parts.keys.sorted() where !known.contains(key) {
            throw CalendarError(line: line, "RRULE part \(key) is not supported")
        }
        guard let name = parts["FREQ"] else { throw CalendarError(line: line, "the RRULE has no FREQ") }
        guard let frequency = Frequency(rawValue: name) else {
            throw CalendarError(line: line, "RRULE FREQ=\(name.prefix(20)) is not supported (DAILY, WEEKLY, MONTHLY and YEARLY are)")
        }
        var rule = RecurrenceRule(line: line, frequency: frequency)
        func integer(_ key: String, _ text: String, _ range: ClosedRange<Int>, zero: Bool = true) throws(CalendarError) -> Int {
            guard text.count <= 7, let value = Int(text), range.contains(value), zero || value != 0 else {
                throw CalendarError(line: line, "RRULE \(key)=\(text.prefix(20)) is out of range (\(range.lowerBound)…\(range.upperBound)\(zero ? "" : ", not 0"))")
            }
            return value
        }
        func list(_ key: String, _ range: ClosedRange<Int>, zero: Bool = true) throws(CalendarError) -> [Int] {
            guard let text = parts[key] else { return [] }
            var values: [Int] = []
            for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                values.append(try integer(key, String(item).trimmingSpaces, range, zero: zero))
            }
            return values
        }
        if let text = parts["INTERVAL"] { rule.interval = try integer("INTERVAL", text, 1...maxInterval) }
        if let text = parts["COUNT"] { rule.count = try integer("COUNT", text, 1...maxCount) }
        guard rule.count == nil || parts["UNTIL"] == nil else { throw CalendarError(line: line, "the RRULE has both COUNT and UNTIL") }
        if let text = parts["UNTIL"] { rule.until = try Moment.parse(text, kind: nil, line: line) }
        rule.byMonthDay = try list("BYMONTHDAY", -31...31, zero: false)
        rule.byMonth = try list("BYMONTH", 1...12)
        rule.byYearDay = try list("BYYEARDAY", -366...366, zero: false)
        rule.byWeekNo = try list("BYWEEKNO", -53...53, zero: false)
        rule.bySetPos = try list("BYSETPOS", -366...366, zero: false)
        rule.byHour = try list("BYHOUR", 0...23)
        rule.byMinute = try list("BYMINUTE", 0...59)
        rule.bySecond = try list("BYSECOND", 0...59)
        if let text = parts["WKST"] {
            guard let day = Civil.weekdayNames.firstIndex(of: text) else { throw CalendarError(line: line, "RRULE WKST=\(text.prefix(20)) is not a weekday (MO … SU)") }
            rule.weekStart = day
        }
        for item in (parts["BYDAY"] ?? "").split(separator: ",", omittingEmptySubsequences: false) where parts["BYDAY"] != nil {
            let text = String(item).trimmingSpaces
            guard text.count >= 2, let day = Civil.weekdayNames.firstIndex(of: String(text.suffix(2))) else {
                throw CalendarError(line: line, "RRULE BYDAY=\(text.prefix(20)) is not a weekday such as MO, 2TU or -1FR")
            }
            let number = text.dropLast(2)
            let ordinal = number.isEmpty ? 0 : try integer("BYDAY", String(number.hasPrefix("+") ? number.dropFirst() : number), -53...53, zero: false)
            rule.byDay.append(WeekdayNumber(ordinal: ordinal, weekday: day))
        }
        try rule.check()
        return rule
    }

    /// Combinations RFC 5545 forbids, or whose meaning implementations disagree on.
    private func check() throws(CalendarError) {
        func refuse(_ reason: String) -> CalendarError { CalendarError(line: line, reason) }
        if !byWeekNo.isEmpty, frequency != .yearly { throw refuse("RRULE BYWEEKNO is only valid with FREQ=YEARLY (RFC 5545 §3.3.10)") }
        if !byYearDay.isEmpty, frequency != .yearly { throw refuse("RRULE BYYEARDAY with FREQ=\(frequency.rawValue) is refused (RFC 5545 forbids it with DAILY, WEEKLY and MONTHLY)") }
        if !byMonthDay.isEmpty, frequency == .weekly { throw refuse("RRULE BYMONTHDAY is not valid with FREQ=WEEKLY (RFC 5545 §3.3.10)") }
        let ordinals = byDay.filter { $0.ordinal != 0 }
        if !ordinals.isEmpty {
            if frequency == .daily || frequency == .weekly {
                throw refuse("RRULE BYDAY with a number (such as 2MO) is only valid with FREQ=MONTHLY or YEARLY")
            }
            if ordinals.count != byDay.count { throw refuse("RRULE BYDAY mixing numbered (2MO) and plain (TU) days is refused: implementations read it differently") }
            if !byWeekNo.isEmpty { throw refuse("RRULE BYDAY with a number together with BYWEEKNO is forbidden by RFC 5545") }
        }
        if !bySetPos.isEmpty, byDay.isEmpty, byMonthDay.isEmpty, byMonth.isEmpty, byYearDay.isEmpty, byWeekNo.isEmpty, byHour.isEmpty, byMinute.isEmpty, bySecond.isEmpty {
            throw refuse("RRULE BYSETPOS needs another BY part to select from")
        }
    }
}
