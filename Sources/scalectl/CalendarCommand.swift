import ArgumentParser
import ScaleApp
import ScaleCore

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "Manage events.",
        subcommands: [Add.self, List.self, Remove.self, Import.self, Sync.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an event.")

        @OptionGroup var global: GlobalFlags

        @Option(name: .long, help: "The event's name.")
        var name: String

        @Option(name: .long, help: ArgumentHelp("When it starts (ISO 8601, or local time in --tz).", valueName: "time"))
        var start: String

        @Option(name: .long, help: ArgumentHelp("When it ends.", valueName: "time"))
        var end: String

        @Option(name: .long, help: ArgumentHelp("IANA time zone of local times (default: the configured one).", valueName: "zone"))
        var tz: String?

        @Option(name: .long, help: ArgumentHelp("Nodes of a role for this event; repeatable.", valueName: "role=n"))
        var count: [String] = []

        @Option(name: .long, help: "Free text.")
        var notes: String?

        func run() async throws {
            try await global.run {
                try await CalendarCommands(context: $0).add(name: name, start: start, end: end, timeZone: tz, counts: count, notes: notes)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List events, earliest first.")

        @OptionGroup var global: GlobalFlags

        func run() async throws {
            try await global.run { try await CalendarCommands(context: $0).list() }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an event by id.")

        @OptionGroup var global: GlobalFlags

        @Argument(help: "The event's id, as `calendar list` shows it.")
        var id: Int64

        func run() async throws {
            try await global.run { try await CalendarCommands(context: $0).remove(id: id) }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import events from a CSV or iCalendar (.ics) file: all events or none.",
            discussion: """
                CSV: a header row with name,start,end and optionally tz, counts ("frontal=6 celery=4"), notes. \
                iCalendar: VEVENTs with their recurrences expanded over --horizon; what is refused is listed in docs/calendars.md.
                """)

        @OptionGroup var global: GlobalFlags

        @Argument(help: "The file to import.")
        var file: String

        @Option(name: .long, help: ArgumentHelp("How far ahead recurring events are expanded.", valueName: "duration"))
        var horizon = "90d"

        func run() async throws {
            try await global.run { context in
                guard let span = DurationText.parse(horizon), span > .zero else {
                    throw InputError("--horizon: \"\(horizon)\" is not a duration such as 90d")
                }
                return try await CalendarCommands(context: context).importFile(file, horizon: span)
            }
        }
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sync the subscribed iCalendar feeds ([calendar] sources) now.",
            discussion: """
                Adds, moves and removes the events each feed added; never events added by hand or from CSV. \
                Removals of running events, or more than max_removals at once, wait for --accept-removals.
                """)

        @OptionGroup var global: GlobalFlags

        @Argument(help: "One source, as written in [calendar] sources (default: all).")
        var source: String?

        @Flag(name: .long, help: "Apply removals held back for on-call.")
        var acceptRemovals = false

        func run() async throws {
            try await global.run { context in
                try await CalendarCommands(context: context).sync(source: source, acceptRemovals: acceptRemovals)
            }
        }
    }
}
