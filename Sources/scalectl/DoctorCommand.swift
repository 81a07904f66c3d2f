import ArgumentParser
import ScaleApp

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Preflight: configuration, credentials, snapshots, load balancers, server types, quota, lead time, alert channels.",
        discussion: "Only reads. Exit status 1 (and an alert) when a check FAILED; warnings alone exit 0.")

    @OptionGroup var global: GlobalFlags

    @Flag(name: .long, help: "Send a test alert through every channel and report each delivery.")
    var sendTest = false

    func run() async throws {
        try await global.run { context in
            try await Doctor(context: context).run(sendTest: sendTest).status
        }
    }
}
