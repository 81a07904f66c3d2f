import Foundation
import ScaleCalendar
import ScaleCore

/// Reads an iCalendar file into unchecked event inputs, one per occurrence in a window, through
/// ScaleCalendar: faithful expansion, or a refusal naming the line (see docs/calendars.md).
enum ICalendarInput {
    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var problem: String
        var description: String { "line \(line): \(problem)" }
    }

    /// Occurrences that overlap `[from, to)`, each with the line its VEVENT starts on. All-day events
    /// and floating times are read in X-WR-TIMEZONE when the file has one, else in `defaultZone`.
    static func events(_ bytes: [UInt8], defaultZone: TimeZone, from: Date, to: Date) throws(Failure) -> [(line: Int, input: EventInput)] {
        try occurrences(bytes, defaultZone: defaultZone, from: from, to: to).map { occurrence in
            (occurrence.line, input(occurrence, defaultZone: defaultZone))
        }
    }

    /// The occurrences themselves, with UID and RECURRENCE-ID (what a subscription keys events by).
    static func occurrences(_ bytes: [UInt8], defaultZone: TimeZone, from: Date, to: Date) throws(Failure) -> [Occurrence] {
        guard let local = Zone(iana: defaultZone.identifier) else { throw Failure(line: 1, problem: "the zone \(defaultZone.identifier) is unknown") }
        do throws(CalendarError) {
            let calendar = try ScaleCalendar.ICalendar.parse(bytes, localZone: local)
            let found = try calendar.occurrences(from: Int(from.timeIntervalSince1970.rounded(.down)), to: Int(to.timeIntervalSince1970.rounded(.up)))
            if let nameless = found.first(where: { ($0.summary ?? "").trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw CalendarError(line: nameless.line, "the VEVENT has no SUMMARY (it names the event)")
            }
            return found
        } catch {
            throw Failure(line: error.line, problem: error.reason)
        }
    }

    static func input(_ occurrence: Occurrence, defaultZone: TimeZone) -> EventInput {
        let zone = TimeZone(identifier: occurrence.zone) != nil && occurrence.zone.contains("/") ? occurrence.zone : defaultZone.identifier
        return EventInput(
            name: occurrence.summary ?? "", start: TimeText.iso(Date(timeIntervalSince1970: TimeInterval(occurrence.start))),
            end: TimeText.iso(Date(timeIntervalSince1970: TimeInterval(occurrence.end))), timeZone: zone,
            counts: occurrence.extra["X-SCALECTL-COUNTS"].map(EventInput.splitCounts) ?? [], notes: occurrence.description,
            instantAllowed: true)
    }
}
