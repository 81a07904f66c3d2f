import ArgumentParser
import Foundation
import Logging
import ScaleApp

/// The root command.
struct ScaleCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scalectl",
        abstract: "Scale a fleet up before calendar events and down after them.",
        discussion: """
            Exit status: 0 done or nothing to do; 1 a step failed (alert sent); 2 usage, configuration \
            or input error (nothing changed); 3 another run holds the lock (nothing changed).
            """,
        subcommands: [
            Up.self, Down.self, Reconcile.self, PlanCommand.self, Status.self, CalendarCommand.self, OverrideCommand.self,
            History.self, DaemonCommand.self, AlertCommand.self, CostCommand.self, DoctorCommand.self, ReportCommand.self, SnapshotCommand.self,
            MigrateStateCommand.self,
        ]
    )

    /// Accepted here too, so a mistyped subcommand is reported as such rather than as an unknown option.
    @OptionGroup(visibility: .hidden) var global: GlobalFlags
}

/// Options every command takes.
struct GlobalFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (default ./scalectl.toml, then /etc/scalectl/scalectl.toml).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Pretend now is this time (ISO 8601; local times in the configured zone), for rehearsals.", valueName: "time"))
    var at: String?

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    @Flag(name: .long, help: "Print only problems (for cron).")
    var quiet = false

    @Flag(name: .long, help: "Log details to stderr.")
    var verbose = false

    var options: GlobalOptions { GlobalOptions(config: config, at: at, json: json, quiet: quiet, verbose: verbose) }

    /// Loads the context and runs `body`, turning its status into the process's exit status.
    func run(_ body: (AppContext) async throws -> ExitStatus) async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .warning
            return handler
        }
        let context = try AppContext(options, logger: Logger(label: "scalectl"))
        let status = try await body(context)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}

@main
enum Main {
    static func main() async {
        do {
            var command = try ScaleCtl.parseAsRoot(globalsLast(Array(CommandLine.arguments.dropFirst())))
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let appStatus = ExitStatus.of(error)
            if appStatus != .failed || error is CancellationError {
                FileHandle.standardError.write(Data("scalectl: error: \(error)\n".utf8))
                Foundation.exit(appStatus.rawValue)
            }
            // ArgumentParser's own errors: help and version exit 0, everything else is a usage error.
            let code = ScaleCtl.exitCode(for: error)
            let message = ScaleCtl.fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            if isParserError(error) {
                FileHandle.standardError.write(Data("\(message)\n".utf8))
                Foundation.exit(ExitStatus.usage.rawValue)
            }
            FileHandle.standardError.write(Data("scalectl: error: \(error)\n".utf8))
            Foundation.exit(ExitStatus.failed.rawValue)
        }
    }

    /// Moves global options written before the subcommand (`scalectl --config f up`) after it, where
    /// ArgumentParser reads them (`scalectl up --config f`).
    static func globalsLast(_ arguments: [String]) -> [String] {
        let valued: Set<String> = ["--config", "--at"]
        let flags: Set<String> = ["--json", "--quiet", "--verbose"]
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if flags.contains(argument) || (valued.contains(name) && argument.contains("=")) {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        return Array(arguments[index...]) + leading
    }

    /// Whether ArgumentParser rejected the command line (as opposed to a failure while running).
    static func isParserError(_ error: any Error) -> Bool {
        if error is ValidationError { return true }
        let code = ScaleCtl.exitCode(for: error)
        return code == .validationFailure
    }
}
