import Foundation

/// A time zone that turns wall-clock times into instants: a zone of the system's IANA database, or
/// one read from a VTIMEZONE block's rules when its TZID is not a known zone.
public struct Zone: Sendable, Hashable {
    /// The IANA identifier (or, for a VTIMEZONE-defined zone, its TZID).
    public let identifier: String
    let rules: Rules

    enum Rules: Sendable, Hashable {
        case system(TimeZone)
        /// UTC offsets in force from each instant on (seconds since 1970, UTC), sorted; `initial` before the first.
        case transitions(initial: Int, changes: [Transition])
    }

    struct Transition: Sendable, Hashable {
        var at: Int
        var offset: Int
    }

    public static let utc = Zone(identifier: "UTC", rules: .system(TimeZone(identifier: "UTC") ?? .gmt))

    public init?(iana identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = zone.identifier
        rules = .system(zone)
    }

    init(identifier: String, rules: Rules) {
        self.identifier = identifier
        self.rules = rules
    }

    /// The UTC offset in seconds in force at an instant.
    public func offset(at instant: Int) -> Int {
        switch rules {
        case .system(let zone):
            return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
        case .transitions(let initial, let changes):
            var low = 0
            var high = changes.count
            while low < high {
                let middle = (low + high) / 2
                if changes[middle].at <= instant { low = middle + 1 } else { high = middle }
            }
            return low == 0 ? initial : changes[low - 1].offset
        }
    }

    /// The instant of a wall-clock time. In a gap (spring forward) the offset before the gap applies,
    /// so 02:30 becomes 03:30; a time that occurs twice (fall back) is its first occurrence (RFC 5545 §3.3.5).
    public func instant(_ wall: Wall) -> Int {
        let t = wall.seconds
        let before = offset(at: t - 86_400)
        let after = offset(at: t + 86_400)
        let early = t - before
        let late = t - after
        let earlyValid = offset(at: early) == before
        let lateValid = offset(at: late) == after
        switch (earlyValid, lateValid) {
        case (true, true): return min(early, late)
        case (true, false): return early
        case (false, true): return late
        case (false, false): return early
        }
    }

    /// The wall-clock time of an instant in this zone.
    public func wall(_ instant: Int) -> Wall { Wall(seconds: instant + offset(at: instant)) }

    /// A Foundation zone for display: the system zone, or a fixed offset for a VTIMEZONE-defined one.
    public var timeZone: TimeZone {
        switch rules {
        case .system(let zone): return zone
        case .transitions(let initial, _): return TimeZone(secondsFromGMT: initial) ?? .gmt
        }
    }
}
