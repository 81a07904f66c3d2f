import Foundation

/// A time that could not be read.
public struct TimeTextError: Error, CustomStringConvertible, Sendable, Equatable {
    public var text: String
    public var problem: String
    public var description: String { "\"\(text)\" \(problem)" }
}

/// Reads and writes instants at the edges: the command line, calendar files and display.
///
/// Accepted: ISO 8601 with an offset (`2026-11-23T20:00:00Z`, `2026-11-23T21:00+01:00`) and local
/// times read in a time zone (`2026-11-23T21:00`, `2026-11-23 21:00`, `2026-11-23 21:00:30`,
/// `2026-11-23` for midnight). Local times are turned into instants by Foundation's calendar, so
/// daylight-saving rules come from the time-zone database; a local time that does not exist (the
/// hour skipped in spring) is refused, and a repeated one (autumn) means its first occurrence.
public enum TimeText {
    public static let formatHint = "use ISO 8601, for example 2026-11-23T21:00 (local) or 2026-11-23T20:00Z"

    public static func parse(_ raw: String, zone: TimeZone) throws(TimeTextError) -> Date {
        let text = raw.trimmingCharacters(in: .whitespaces)
        var scanner = Scan(Substring(text))
        func fail(_ problem: String = "is not a time: \(formatHint)") -> TimeTextError {
            TimeTextError(text: raw, problem: problem)
        }
        guard let year = scanner.number(4), scanner.take("-"), let month = scanner.number(2), scanner.take("-"),
              let day = scanner.number(2)
        else { throw fail() }
        var hour = 0, minute = 0, second = 0, nanos = 0
        var offset: Int?  // seconds east of UTC
        if !scanner.atEnd {
            guard scanner.take("T") || scanner.take(" "), let h = scanner.number(2), scanner.take(":"),
                  let m = scanner.number(2)
            else { throw fail() }
            hour = h; minute = m
            if scanner.take(":") {
                guard let s = scanner.number(2) else { throw fail() }
                second = s
                if scanner.take(".") {
                    let fraction = scanner.digits()
                    guard !fraction.isEmpty else { throw fail() }
                    nanos = Int((Double("0." + fraction) ?? 0) * 1e9)
                }
            }
            if scanner.take("Z") || scanner.take("z") {
                offset = 0
            } else if let sign = scanner.takeSign() {
                guard let oh = scanner.number(2) else { throw fail() }
                _ = scanner.take(":")
                guard let om = scanner.number(2), oh <= 18, om < 60 else { throw fail() }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard scanner.atEnd else { throw fail() }
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
              (0...59).contains(second)
        else { throw fail("is not a valid date and time") }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { throw fail("is not a valid date and time") }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard back.year == year, back.month == month, back.day == day else {
            throw fail("is not a valid date (there is no day \(day) in that month)")
        }
        guard back.hour == hour, back.minute == minute else {
            throw fail("does not exist in \(zone.identifier): the clocks skip that hour; pick another time or give an offset")
        }
        return date.addingTimeInterval(Double(nanos) / 1e9)
    }

    /// `2026-11-23T20:00:00Z`: the machine-readable form used in JSON and the journal.
    public static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
    }

    /// `2026-11-23 21:00 +01:00`: the form shown to people, in the given zone with its offset then.
    public static func local(_ date: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let offset = zone.secondsFromGMT(for: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d %@%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!,
            offset < 0 ? "-" : "+", abs(offset) / 3600, abs(offset) % 3600 / 60)
    }

    /// `23:30` when `date` falls on the same local day as `reference` (a time already shown with its
    /// date), or the whole `2026-11-24 00:30 +01:00` when it does not: a window crossing midnight shows
    /// the day it ends.
    public static func local(_ date: Date, after reference: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.isDate(date, inSameDayAs: reference) ? clock(date, zone: zone) : local(date, zone: zone)
    }

    /// `21:00` (or `21:00:05`): the clock time in the given zone.
    public static func clock(_ date: Date, zone: TimeZone, seconds: Bool = false) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return seconds
            ? String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
            : String(format: "%02d:%02d", c.hour!, c.minute!)
    }

    /// A time zone by IANA identifier (`Europe/Madrid`), or nil when the time-zone database has none.
    public static func zone(_ identifier: String) -> TimeZone? {
        guard !identifier.isEmpty, identifier.contains("/") || identifier == "UTC" || identifier == "GMT" else { return nil }
        return TimeZone(identifier: identifier)
    }
}

private struct Scan {
    var rest: Substring
    init(_ text: Substring) { rest = text }
    var atEnd: Bool { rest.isEmpty }
    mutating func take(_ prefix: String) -> Bool {
        guard rest.hasPrefix(prefix) else { return false }
        rest = rest.dropFirst(prefix.count)
        return true
    }
    mutating func number(_ width: Int) -> Int? {
        let digits = rest.prefix(width)
        guard digits.count == width, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        rest = rest.dropFirst(width)
        return Int(digits)
    }
    mutating func digits() -> String {
        let digits = rest.prefix(while: \.isASCIIDigit)
        rest = rest.dropFirst(digits.count)
        return String(digits)
    }
    mutating func takeSign() -> Int? {
        if take("+") { return 1 }
        if take("-") { return -1 }
        return nil
    }
}
