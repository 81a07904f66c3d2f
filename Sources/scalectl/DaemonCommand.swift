import ArgumentParser
import ScaleApp

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run as a long-running controller: exact wake-ups at window edges, periodic checks inside windows, metrics.")

    @OptionGroup var global: GlobalFlags

    @Option(
        name: [.customLong("http"), .customLong("metrics")],
        help: ArgumentHelp("Serve the page at /, /metrics and /status here (default: [daemon] http).", valueName: "host:port"))
    var metrics: String?

    func run() async throws {
        try await global.run { context in
            var control = Control(context: context)
            if let crash = CrashPoint.fromEnvironment() { control.crashPoint = crash }
            return try await Daemon(context: context, control: control).run(metricsAddress: metrics)
        }
    }
}
