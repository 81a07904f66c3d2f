import ArgumentParser
import ScaleApp

struct CostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        abstract: "Node-hours, billed hours and money per event, and the saving against keeping the peak fleet on.",
        discussion: "Priced from the node ledger (what was created and deleted, and when) under the provider's billing rule.")

    @OptionGroup var global: GlobalFlags

    @Option(name: .long, help: ArgumentHelp("Only this event, with one line per node.", valueName: "id"))
    var event: Int64?

    @Option(name: .long, help: ArgumentHelp("Only events whose first node was created at or after this time.", valueName: "time"))
    var since: String?

    func run() async throws {
        try await global.run { try await CostReport(context: $0).run(eventID: event, since: since) }
    }
}
