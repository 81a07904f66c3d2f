import ArgumentParser
import Foundation
import Logging
import ScaleApp

struct MigrateStateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-state",
        abstract: "Copy an installation's state from its SQLite file into an empty PostgreSQL database.",
        discussion: """
            Copies the calendar (with subscriptions), overrides, node ledger, journal and alert log of every \
            fleet in the file, checks the counts per table, and refuses a target that holds anything. Stop the \
            controllers first. The password comes from --password-env or --password-file, never the URL.
            """)

    @Option(name: .long, help: ArgumentHelp("The SQLite state file, as sqlite:PATH.", valueName: "sqlite:path"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The empty PostgreSQL database, as postgres://USER@HOST:PORT/DB.", valueName: "url"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("TLS: disable (default), require or verify-full.", valueName: "mode"))
    var sslmode: String?

    @Option(name: .customLong("password-env"), help: ArgumentHelp("The environment variable that holds the password.", valueName: "name"))
    var passwordEnv: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("A file that holds the password.", valueName: "file"))
    var passwordFile: String?

    @OptionGroup var global: GlobalFlags

    func run() async throws {
        let migration = try StateMigration(from: from, to: to, sslMode: sslmode, passwordEnv: passwordEnv, passwordFile: passwordFile)
        let logger = Logger(label: "scalectl", factory: { SwiftLogNoOpLogHandler($0) })
        let status = try await migration.run(console: Console(json: global.json, quiet: global.quiet), logger: logger)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
