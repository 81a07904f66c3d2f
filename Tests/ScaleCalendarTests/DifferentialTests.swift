import Foundation
import ScaleCalendar
import ScaleTesting
import Testing

/// Every calendar of the corpus either expands exactly as the reference implementation (Python's
/// icalendar with recurring-ical-events) does, occurrence for occurrence, or is refused with a line
/// and a reason. The corpus: the test calendars shipped inside those PyPI packages (read from .venv
/// at test time, not copied here) and the export-shaped files in Tests/ScaleCalendarTests/Calendars.
struct DifferentialTests {
    static let zone = "Europe/Madrid"

    /// The corpus files: ours, and the packages' own test calendars in the virtual environment.
    static func corpus() throws -> [String] {
        var files: [String] = []
        let ours = "\(TestTools.repositoryRoot)/Tests/ScaleCalendarTests/Calendars"
        files += ((try? FileManager.default.contentsOfDirectory(atPath: ours)) ?? []).filter { $0.hasSuffix(".ics") }.map { "\(ours)/\($0)" }
        let lib = "\(TestTools.repositoryRoot)/.venv/lib"
        for python in (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? [] {
            for package in ["recurring_ical_events/test/calendars", "icalendar/tests/calendars"] {
                let directory = "\(lib)/\(python)/site-packages/\(package)"
                files += ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".ics") }.map { "\(directory)/\($0)" }
            }
        }
        return files.sorted()
    }

    struct Reference: Decodable {
        struct Window: Decodable {
            var from: Int
            var to: Int
            var occurrences: [[Value]]
        }
        enum Value: Decodable, Hashable {
            case number(Int)
            case text(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Int.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
            }
        }
        var windows: [Window]?
        var error: String?
    }

    /// The windows compared: a year from a day before the file's first DTSTART (old series), and one
    /// fixed year (expansion that must jump from an old DTSTART to the window).
    static func windows(_ bytes: [UInt8]) -> [(Int, Int)] {
        let text = String(decoding: bytes, as: UTF8.self)
        var first = Int.max
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("DTSTART") {
            guard let colon = line.lastIndex(of: ":") else { continue }
            let digits = line[line.index(after: colon)...].prefix(8)
            guard digits.count == 8, let y = Int(digits.prefix(4)), let m = Int(digits.dropFirst(4).prefix(2)), let d = Int(digits.suffix(2)),
                  (1970...2100).contains(y), (1...12).contains(m), (1...31).contains(d) else { continue }
            var components = DateComponents(timeZone: TimeZone(identifier: "UTC"), year: y, month: m, day: d)
            components.calendar = Calendar(identifier: .gregorian)
            if let date = components.date { first = min(first, Int(date.timeIntervalSince1970)) }
        }
        let fixed = (1_780_272_000, 1_811_808_000)  // 2026-06-01 … 2027-06-01 UTC
        return first == Int.max ? [fixed] : [(first - 86_400, first - 86_400 + 2 * 366 * 86_400), fixed]
    }

    /// Our occurrences that start in the windows, as the reference prints them.
    static func expand(_ bytes: [UInt8], windows: [(Int, Int)], zone: Zone) -> Result<[[Reference.Value]], CalendarError> {
        Result { () throws(CalendarError) in
            let calendar = try ICalendar.parse(bytes, localZone: zone)
            var all: [[Reference.Value]] = []
            for (from, to) in windows {
                all += try calendar.occurrences(from: from - 3 * 86_400, to: to + 3 * 86_400)
                    .filter { from <= $0.start && $0.start < to }
                    .map { [.number($0.start), .number($0.end), .text($0.uid.hasPrefix("line-") ? "" : $0.uid)] }
            }
            return all
        }
    }

    @Test func theCorpusMatchesTheReferenceOrIsRefusedWithALine() async throws {
        let files = try Self.corpus()
        #expect(files.count > 150, "the corpus is read from .venv (make venv) and Tests/ScaleCalendarTests/Calendars")
        guard let madrid = Zone(iana: Self.zone) else { Issue.record("no zone"); return }
        var equal: [String] = []
        var refused: [(String, String)] = []
        var differing: [(String, String)] = []
        var referenceOnly: [(String, String)] = []
        var occurrencesCompared = 0
        let jobs = files.map { file in (file, Array(FileManager.default.contents(atPath: file) ?? Data())) }
        let request = jobs.map { file, bytes in ["file": file, "windows": Self.windows(bytes).map { [$0.0, $0.1] }] as [String: Any] }
        let output = try await TestPython.run("ical_reference.py", ["--zone", Self.zone, "--jobs"], input: try JSONSerialization.data(withJSONObject: request))
        let answers = try JSONDecoder().decode([String: Reference].self, from: output)
        for (file, bytes) in jobs {
            let windows = Self.windows(bytes)
            let answer = answers[file]
            let name = URL(fileURLWithPath: file).lastPathComponent
            let ours: [[Reference.Value]]
            switch Self.expand(bytes, windows: windows, zone: madrid) {
            case .success(let found): ours = found
            case .failure(let error):
                #expect(error.line >= 1 && !error.reason.isEmpty)
                refused.append((name, error.description))
                continue
            }
            guard let windowsOfReference = answer?.windows else {
                referenceOnly.append((name, answer?.error ?? "no answer"))
                continue
            }
            let reference = windowsOfReference.flatMap(\.occurrences)
            let mine = ours
            if mine.map({ "\($0)" }).sorted() == reference.map({ "\($0)" }).sorted() {
                equal.append(name)
                occurrencesCompared += mine.count
            } else {
                let extra = Set(mine.map { "\($0)" }).subtracting(reference.map { "\($0)" }).sorted().prefix(3)
                let missing = Set(reference.map { "\($0)" }).subtracting(mine.map { "\($0)" }).sorted().prefix(3)
                differing.append((name, "ours \(mine.count), reference \(reference.count); only ours \(extra); only reference \(missing)"))
            }
        }
        let report = """
            compared \(files.count) files: \(equal.count) equal (\(occurrencesCompared) occurrences), \(refused.count) refused, \(differing.count) differing, \
            \(referenceOnly.count) read by us but refused by the reference
            refused:\n\(refused.map { "  \($0.0): \($0.1)" }.joined(separator: "\n"))
            differing:\n\(differing.map { "  \($0.0): \($0.1)" }.joined(separator: "\n"))
            refused by the reference only:\n\(referenceOnly.map { "  \($0.0): \($0.1)" }.joined(separator: "\n"))
            """
        print(report)
        try? report.write(toFile: "\(TestTools.repositoryRoot)/.build/ical-differential.txt", atomically: true, encoding: .utf8)
        #expect(differing.isEmpty, "\(differing)")
        #expect(equal.count > 100 && occurrencesCompared > 1000, "the comparison is not vacuous")
    }
}
