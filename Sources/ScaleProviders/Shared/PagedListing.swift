import Foundation
import Logging
import ScaleCore

/// One page of a listing numbered from 1, as ``PagedListing`` reads it.
protocol NumberedPage: Decodable {
    /// The number of items over every page, when the API says.
    var reportedTotal: Int? { get }
    /// The number of the next page; nil on the last.
    var nextPage: Int? { get }
}

/// Reading every page of a listing (Hetzner's and DigitalOcean's are alike): page after page until the
/// last, or until a page holds an item `enough` accepts. Pages that disagree on the total (the list changed
/// while it was read) are read again from the first page; if they still disagree the listing fails.
enum PagedListing {
    /// Listings read again when their pages disagree, before giving up.
    static let attempts = 3

    /// - Parameters:
    ///   - totalName: how the API calls the total, for the message (`meta.total`).
    ///   - owner: what changed under the listing, for the hint (`account`, `project`).
    ///   - fetch: the page of that number.
    static func all<Page: NumberedPage, Item>(
        provider: String, path: String, operation: String, totalName: String, owner: String, logger: Logger,
        fetch: (Int) async throws -> Page, items: (Page) -> [Item], enough: (Item) -> Bool = { _ in false }
    ) async throws -> [Item] {
        var totals: [Int] = []
        for _ in 0..<attempts {
            var collected: [Item] = []
            var page = 1
            var total: Int?
            var consistent = true
            for _ in 0..<10_000 {
                let answer = try await fetch(page)
                collected += items(answer)
                if collected.contains(where: enough) { return collected }
                if let reported = answer.reportedTotal {
                    if let total, total != reported {
                        totals = [total, reported]
                        consistent = false
                        break
                    }
                    total = reported
                }
                guard let following = answer.nextPage, following > page else { break }
                page = following
            }
            if consistent { return collected }
            logger.info("\(provider) pages disagreed; listing again", metadata: ["http.path": "\(path)", "list.totals": "\(totals)"])
        }
        throw ProviderError(
            provider: provider, operation: operation, code: "inconsistent_pages",
            message: "the pages of \(path) disagreed on \(totalName) (\(totals.map(String.init).joined(separator: " then "))) in \(attempts) listings in a row",
            retry: .yes(after: nil), hint: "the \(owner) changed faster than it could be listed; run the command again")
    }
}
