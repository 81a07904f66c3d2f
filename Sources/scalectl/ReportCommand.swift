import ArgumentParser
import ScaleApp

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the on-call page (now, fleet, the week, runs, money, alerts) to a file, as the daemon serves it.",
        discussion: "For installations that run from cron: no daemon needed; the file has no external asset.")

    @OptionGroup var global: GlobalFlags

    @Option(name: .long, help: ArgumentHelp("Write the page here as HTML.", valueName: "file"))
    var html: String

    func run() async throws {
        try await global.run { try await PageReport(context: $0).run(html: html) }
    }
}
