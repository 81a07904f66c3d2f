import ArgumentParser
import ScaleApp

struct AlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert", abstract: "Check the alert channels.", subcommands: [Test.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test message to every configured channel and report each delivery (exit 1 if any failed).")

        @OptionGroup var global: GlobalFlags

        func run() async throws {
            try await global.run { try await AlertTest(context: $0).run() }
        }
    }
}
