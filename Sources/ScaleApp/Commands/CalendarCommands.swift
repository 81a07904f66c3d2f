import Foundation
import ScaleCore
import ScaleStore

/// `scalectl calendar add/list/remove/import`.
public struct CalendarCommands: Sendable {
    public let context: AppContext

    public init(context: AppContext) { self.context = context }

    public func add(name: String, start: String, end: String, timeZone: String?, counts: [String], notes: String?) async throws -> ExitStatus {
        let input = EventInput(name: name, start: start, end: end, timeZone: timeZone, counts: counts, notes: notes)
        let new = try input.validated(fleet: context.fleet).get()
        return try await change("added") { try await context.store.addEvent(new) }
    }

    public func list() async throws -> ExitStatus {
        let events = try await context.store.events()
        if context.console.json {
            context.console.emit(events.map { EventOutput($0, fleet: context.fleet) })
            return .ok
        }
        if events.isEmpty {
            context.console.line("the calendar is empty; add an event with `scalectl calendar add` or `scalectl calendar import FILE.csv`")
        }
        for event in events { context.console.line(describe(event)) }
        return .ok
    }

    public func remove(id: Int64) async throws -> ExitStatus {
        try await change("removed") { try await context.store.removeEvent(id: id) }
    }

    /// Makes one change to the calendar and reports the event it concerns; a refusal is bad input.
    private func change(_ verb: String, _ body: () async throws -> Event) async throws -> ExitStatus {
        let event: Event
        do {
            event = try await body()
        } catch let error as StoreError {
            throw InputError(error.description)
        }
        if context.console.json {
            context.console.emit(EventOutput(event, fleet: context.fleet))
        } else {
            context.console.line("\(verb) \(describe(event))")
        }
        return .ok
    }

    /// Imports a CSV or iCalendar file: all events or none. Events already in the calendar (same name and
    /// start) are skipped. Recurring iCalendar events are expanded from now over `horizon`.
    public func importFile(_ path: String, horizon: Duration = .seconds(90 * 86_400)) async throws -> ExitStatus {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputError("\(path): cannot read the file (missing, unreadable or not UTF-8)")
        }
        let inputs: [(line: Int, input: EventInput)]
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv":
            inputs = try CalendarFile.csv(text, file: path)
        case "ics", "ical", "ifb", "icalendar":
            let now = context.clock.now()
            do {
                inputs = try ICalendar.events(text, defaultZone: context.fleet.timeZone, from: now, to: now + horizon)
            } catch {
                throw InputError("\(path):\(error.line): \(error.problem); nothing was imported")
            }
        default:
            throw InputError("\(path): the calendar file must end in .csv or .ics")
        }
        var events: [NewEvent] = []
        var problems: [String] = []
        for (line, input) in inputs {
            switch input.validated(fleet: context.fleet) {
            case .success(let event): events.append(event)
            case .failure(let error): problems.append("\(path):\(line): event \"\(input.name)\": \(error)")
            }
        }
        guard problems.isEmpty else {
            let shown = problems.prefix(20).joined(separator: "\n")
            throw InputError(shown + (problems.count > 20 ? "\n... and \(problems.count - 20) more" : "") + "\nnothing was imported")
        }
        guard !events.isEmpty else { throw InputError("\(path): no events in the file within the next \(DurationText.format(horizon))") }
        let (added, skipped) = try await context.store.importEvents(events)
        if context.console.json {
            context.console.emit(ImportOutput(added: added.map { EventOutput($0, fleet: context.fleet) }, skipped: skipped.count))
        } else {
            for event in added { context.console.line("added \(describe(event))") }
            context.console.line("imported \(added.count) event\(added.count == 1 ? "" : "s") from \(path)"
                + (skipped.isEmpty ? "" : "; \(skipped.count) already in the calendar, skipped"))
        }
        return .ok
    }

    private func describe(_ event: Event) -> String {
        let zone = TimeZone(identifier: event.timeZone) ?? context.fleet.timeZone
        var text = "\(event.title) \(TimeText.local(event.start, zone: zone)) to \(TimeText.local(event.end, zone: zone)) [\(event.timeZone)]"
        if !event.counts.isEmpty {
            text += " counts " + event.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        if let notes = event.notes { text += " (\(notes))" }
        return text
    }
}

struct EventOutput: Encodable {
    var id: Int64
    var name: String
    var start: Date
    var end: Date
    var timeZone: String
    var counts: [String: Int]
    var notes: String?
    var windowStart: Date
    var windowEnd: Date

    init(_ event: Event, fleet: FleetSettings) {
        id = event.id
        name = event.name
        start = event.start
        end = event.end
        timeZone = event.timeZone
        counts = event.counts
        notes = event.notes
        windowStart = event.start - fleet.lead
        windowEnd = event.end + fleet.margin
    }
}

struct ImportOutput: Encodable {
    var added: [EventOutput]
    var skipped: Int
}

/// Reads calendar files into unchecked inputs, each with its line.
enum CalendarFile {
    static let columns = ["name", "start", "end", "tz", "counts", "notes"]

    /// A header row naming columns (`name,start,end` required; `tz` or `timezone`, `counts`, `notes` optional).
    static func csv(_ text: String, file: String) throws -> [(line: Int, input: EventInput)] {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader.records(text)
        } catch let error as CSVReader.Failure {
            throw InputError("\(file):\(error.line): not valid CSV: \(error.description); nothing was imported")
        }
        guard let header = records.first else { throw InputError("\(file): the file is empty; it needs a header row: name,start,end,tz,counts,notes; nothing was imported") }
        var index: [String: Int] = [:]
        for (position, raw) in header.fields.enumerated() {
            var name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "timezone" || name == "time_zone" { name = "tz" }
            guard columns.contains(name) else {
                throw InputError("\(file):\(header.line): unknown column \"\(raw)\" (known: \(columns.joined(separator: ", "))); nothing was imported")
            }
            guard index[name] == nil else { throw InputError("\(file):\(header.line): the column \"\(name)\" appears twice; nothing was imported") }
            index[name] = position
        }
        for required in ["name", "start", "end"] where index[required] == nil {
            throw InputError("\(file):\(header.line): the header has no \"\(required)\" column (it needs name,start,end); nothing was imported")
        }
        return try records.dropFirst().map { record in
            guard record.fields.count == header.fields.count else {
                throw InputError("\(file):\(record.line): the row has \(record.fields.count) fields, the header \(header.fields.count); nothing was imported")
            }
            func field(_ name: String) -> String? { index[name].map { record.fields[$0].trimmingCharacters(in: .whitespaces) } }
            return (record.line, EventInput(
                name: field("name") ?? "", start: field("start") ?? "", end: field("end") ?? "", timeZone: field("tz"),
                counts: EventInput.splitCounts(field("counts") ?? ""), notes: field("notes")))
        }
    }
}
