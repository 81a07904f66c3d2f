/// Proleptic Gregorian calendar arithmetic on whole numbers (days since 1970-01-01), with no time
/// zone: the recurrence engine works on wall-clock values and converts to instants at the end.
enum Civil {
    static let minYear = 1
    static let maxYear = 9999

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func daysInYear(_ year: Int) -> Int { isLeap(year) ? 366 : 365 }

    /// Days since 1970-01-01 of a valid date (H. Hinnant's algorithm).
    static func days(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func date(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Monday 0 … Sunday 6 (1970-01-01 was a Thursday).
    static func weekday(_ days: Int) -> Int { ((days % 7) + 7 + 3) % 7 }

    static let weekdayNames = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
}

/// A wall-clock date and time without a zone, as seconds since 1970-01-01T00:00:00 on that wall clock.
public struct Wall: Sendable, Hashable, Comparable {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    init(days: Int, time: Int = 0) { seconds = days * 86_400 + time }

    var days: Int { seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400) }
    var timeOfDay: Int { seconds - days * 86_400 }

    public static func < (a: Wall, b: Wall) -> Bool { a.seconds < b.seconds }

    public var text: String {
        let (y, m, d) = Civil.date(days)
        let t = timeOfDay
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(y)
        return "\(String(repeating: "0", count: max(0, 4 - year.count)))\(year)-\(two(m))-\(two(d))T\(two(t / 3600)):\(two(t / 60 % 60)):\(two(t % 60))"
    }
}
