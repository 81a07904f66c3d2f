import ArgumentParser
import ScaleApp

struct OverrideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "override", abstract: "On-call overrides: hold the fleet, extend or skip an event, change a count.",
        subcommands: [Hold.self, Extend.self, Skip.self, Set.self, List.self, Clear.self])

    struct Reason: ParsableArguments {
        @Option(name: .long, help: "Why, for the next person on call.")
        var reason: String
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep every owned node until a time: no teardown before it.")
        @OptionGroup var global: GlobalFlags
        @Option(name: .long, help: ArgumentHelp("Until when (ISO 8601 or local time).", valueName: "time")) var until: String
        @OptionGroup var why: Reason

        func run() async throws {
            try await global.run { try await OverrideCommands(context: $0).hold(until: until, reason: why.reason) }
        }
    }

    struct Extend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep an event's window up longer (default: the window covering now).")
        @OptionGroup var global: GlobalFlags
        @Argument(help: "How much longer, such as 30m.") var duration: String
        @Option(name: .long, help: "The event's id.") var event: Int64?
        @OptionGroup var why: Reason

        func run() async throws {
            try await global.run { try await OverrideCommands(context: $0).extend(by: duration, eventID: event, reason: why.reason) }
        }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Skip an event: no scale-up for it.")
        @OptionGroup var global: GlobalFlags
        @Argument(help: "The event's id.") var event: Int64
        @OptionGroup var why: Reason

        func run() async throws {
            try await global.run { try await OverrideCommands(context: $0).skip(eventID: event, reason: why.reason) }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Use N nodes of a role, for one event or until cleared.")
        @OptionGroup var global: GlobalFlags
        @Argument(help: "The role.") var role: String
        @Argument(help: "How many nodes.") var count: Int
        @Option(name: .long, help: "Only for this event.") var event: Int64?
        @Option(name: .long, help: ArgumentHelp("Until when.", valueName: "time")) var until: String?
        @OptionGroup var why: Reason

        func run() async throws {
            try await global.run {
                try await OverrideCommands(context: $0).set(role: role, count: count, eventID: event, until: until, reason: why.reason)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List overrides not cleared.")
        @OptionGroup var global: GlobalFlags

        func run() async throws {
            try await global.run { try await OverrideCommands(context: $0).list() }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Clear one override by id, or all with --all.")
        @OptionGroup var global: GlobalFlags
        @Argument(help: "The override's id.") var id: Int64?
        @Flag(name: .long, help: "Clear every override.") var all = false

        func validate() throws {
            guard (id == nil) != (!all) else { throw ValidationError("Please give an override id or --all.") }
        }

        func run() async throws {
            try await global.run { try await OverrideCommands(context: $0).clear(id: all ? nil : id) }
        }
    }
}
