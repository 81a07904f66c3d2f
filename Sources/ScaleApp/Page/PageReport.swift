import Foundation

/// `scalectl report --html FILE`: the daemon's page written to a file, for installations run from cron.
/// It reads what `status` reads (the database, and the provider for the fleet) and changes nothing.
public struct PageReport: Sendable {
    public let context: AppContext

    public init(context: AppContext) { self.context = context }

    /// Writes the page to `path` atomically (a reader never sees half a page).
    /// - Throws: ``InputError`` when the file cannot be written.
    public func run(html path: String) async throws -> ExitStatus {
        let page = PageDocument(data: try await PageData.gather(context), refresh: nil).html
        do {
            try Data(page.description.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw InputError("--html \(path): cannot write the page: \(error.localizedDescription); check that its directory exists and is writable")
        }
        context.console.line("page written to \(path)")
        return .ok
    }
}
