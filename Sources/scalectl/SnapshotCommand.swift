import ArgumentParser
import ScaleApp

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Take the roles' daily snapshots from their template servers (snapshot.from), then prune beyond keep.",
        discussion: "One run under the fleet's lock; a failed or timed-out snapshot alerts at once and the previous one stays in use.")

    @OptionGroup var global: GlobalFlags

    @Option(name: .long, help: ArgumentHelp("Only this role (repeatable); default every role with snapshot.from.", valueName: "role"))
    var role: [String] = []

    func run() async throws {
        try await global.run { context in
            try await SnapshotRun(context: context).run(roles: role.isEmpty ? nil : role)
        }
    }
}
