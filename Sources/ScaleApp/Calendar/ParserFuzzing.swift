import Foundation
import ScaleCore

/// The parsers that read outside input (configuration, CSV and iCalendar calendars), for fuzzing: each
/// input must end in a value or a clean error, never a crash or a hang.
public enum ParserFuzzing {
    /// The first byte picks the parser; the rest is the text.
    public static func exercise(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        switch selector % 3 {
        case 0:
            _ = try? ConfigLoader.parse(text, file: "fuzz.toml")
        case 1:
            _ = try? CalendarFile.csv(text, file: "fuzz.csv")
        default:
            let zone = TimeZone(identifier: "Europe/Madrid") ?? .gmt
            let start = Date(timeIntervalSince1970: 1_795_000_000)
            _ = try? ICalendarInput.events(Array(bytes.dropFirst()), defaultZone: zone, from: start, to: start + .seconds(30 * 86_400))
            _ = try? ICalendarInput.events(Array(bytes.dropFirst()), defaultZone: zone, from: start - .seconds(3 * 366 * 86_400), to: start + .seconds(366 * 86_400))
        }
    }

    /// Seeds for the fuzzer, one file per parser, from the project's own examples.
    public static func seeds(root: String) -> [(name: String, bytes: [UInt8])] {
        ([("0-demo.toml", "examples/demo.toml", 0), ("0-sim.toml", "providers/sim.toml", 0), ("1-sample.csv", "schedules/sample.csv", 1), ("2-sample.ics", "schedules/sample.ics", 2)]
            + ["google-weekly-utc-with-override", "outlook-windows-zone", "apple-allday-and-yearly", "thunderbird-libical-zone", "folded-utf8-floating"]
            .map { ("2-\($0).ics", "Tests/ScaleCalendarTests/Calendars/\($0).ics", 2) })
            .compactMap { name, path, selector in
                FileManager.default.contents(atPath: "\(root)/\(path)").map { (name, [UInt8(selector)] + Array($0)) }
            }
    }
}
