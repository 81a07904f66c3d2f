import Foundation

/// The duration syntax of configuration files and the command line: `45m`, `2h30m`, `90s`, `1d`, `500ms`.
///
/// Units must appear from largest to smallest, each at most once; a bare number is refused because
/// "45" could mean seconds or minutes.
public enum DurationText {
    private static let units: [(suffix: String, seconds: Double)] = [
        ("d", 86_400), ("h", 3_600), ("ms", 0.001), ("m", 60), ("s", 1),
    ]
    private static let order = ["d", "h", "m", "s", "ms"]

    /// Parses `text`, or returns nil when it is not a duration.
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        var lastRank = -1
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, digits.count <= 9, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }),
                  let rank = order.firstIndex(of: unit.suffix), rank > lastRank
            else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            lastRank = rank
            total += value * unit.seconds
        }
        return .milliseconds(Int64((total * 1000).rounded()))
    }

    /// Formats a duration the way it is written in configuration: `2h30m`, `45s`, `0s`.
    public static func format(_ duration: Duration) -> String {
        var millis = Int64((duration.timeInterval * 1000).rounded())
        if millis == 0 { return "0s" }
        let sign = millis < 0 ? "-" : ""
        millis = abs(millis)
        var parts: [String] = []
        for (suffix, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] as [(String, Int64)] {
            if millis >= size {
                parts.append("\(millis / size)\(suffix)")
                millis %= size
            }
        }
        return sign + parts.joined()
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Duration {
    /// The duration in seconds as a floating-point value.
    public var timeInterval: TimeInterval {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// A duration from a `TimeInterval` (seconds).
    public init(timeInterval: TimeInterval) {
        self = .milliseconds(Int64((timeInterval * 1000).rounded()))
    }
}

extension Date {
    public static func + (date: Date, duration: Duration) -> Date { date.addingTimeInterval(duration.timeInterval) }
    public static func - (date: Date, duration: Duration) -> Date { date.addingTimeInterval(-duration.timeInterval) }

    /// The duration from `earlier` to this instant.
    public func since(_ earlier: Date) -> Duration { Duration(timeInterval: timeIntervalSince(earlier)) }
}
