import ArgumentParser
import ScaleApp
import ScaleCore

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "If a window covers now, ensure the fleet: create, attach, verify. Otherwise say so and exit 0.")

    @OptionGroup var global: GlobalFlags

    func run() async throws {
        try await global.run { try await control($0).run(.up) }
    }
}

struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "If no window covers now, tear down every owned node and verify none is left.")

    @OptionGroup var global: GlobalFlags

    @Flag(name: .long, help: "Tear down even inside a window or while an override holds the fleet.")
    var force = false

    func run() async throws {
        try await global.run { try await control($0).run(.down, force: force) }
    }
}

struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Whichever of up or down applies now: the one cron line.")

    @OptionGroup var global: GlobalFlags

    func run() async throws {
        try await global.run { try await control($0).run(.reconcile) }
    }
}

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Print what reconcile would do now, touching nothing.")

    @OptionGroup var global: GlobalFlags

    func run() async throws {
        try await global.run { try await PlanReport(context: $0).run() }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Event, window, nodes per role with state, load-balancer health and readiness; the last run.")

    @OptionGroup var global: GlobalFlags

    func run() async throws {
        try await global.run { try await StatusReport(context: $0).run() }
    }
}

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Past runs with step timings, newest first.")

    @OptionGroup var global: GlobalFlags

    @Option(name: .long, help: "How many runs to show.")
    var limit = 20

    func validate() throws {
        guard limit > 0 else { throw ValidationError("Please give --limit a number above 0.") }
    }

    func run() async throws {
        try await global.run { try await HistoryReport(context: $0).run(limit: limit) }
    }
}

private func control(_ context: AppContext) -> Control {
    var control = Control(context: context)
    if let crash = CrashPoint.fromEnvironment() { control.crashPoint = crash }
    return control
}
