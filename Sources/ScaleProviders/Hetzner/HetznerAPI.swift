import Foundation
import Logging
import ScaleCore

/// One Hetzner Cloud project's API: authentication, JSON, errors, the request budget and pagination.
///
/// Each method makes its HTTP request once; a failure is a ``ProviderError`` that says whether waiting
/// helps, and retrying is left to `ProviderCalls`.
struct HetznerAPI: TransportBacked {
    let transport: JSONTransport
    let perPage: Int

    init(endpoint: URL, token: Secret, http: HTTPClient, timeout: Duration, perPage: Int, clock: any ScaleClock, logger: Logger) {
        self.transport = JSONTransport(endpoint: endpoint, token: token, http: http, timeout: timeout, clock: clock, logger: logger, dialect: HetznerFailure.dialect)
        self.perPage = perPage
    }

    /// A read: retried freely by ``ProviderCalls``; a truncated or malformed answer is read again.
    func get<T: Decodable & Sendable>(_ path: String, query: [(String, String)] = [], as type: T.Type, operation: String) async throws -> T {
        try await transport.exchange("GET", path, query: query, effect: .read, as: type, operation: operation)
    }

    /// POSTs `body` as JSON, or nothing (the server actions take no body): a mutation, sent again only
    /// when Hetzner answered that it did not carry it out.
    func post<T: Decodable & Sendable>(_ path: String, body: (any Encodable)? = nil, as type: T.Type, operation: String) async throws -> T {
        try await transport.exchange("POST", path, body: body, effect: .mutation, as: type, operation: operation)
    }

    func delete<T: Decodable & Sendable>(_ path: String, as type: T.Type, operation: String) async throws -> T {
        try await transport.exchange("DELETE", path, effect: .mutation, as: type, operation: operation)
    }

    /// Every item of a paginated list, following `meta.pagination.next_page` until it is null, or until a
    /// page holds an item `enough` accepts (see ``PagedListing``).
    func all<Page: Hetzner.Paged & Sendable, Item>(
        _ path: String, query: [(String, String)] = [], page type: Page.Type, operation: String,
        items: (Page) -> [Item], enough: (Item) -> Bool = { _ in false }
    ) async throws -> [Item] {
        try await PagedListing.all(
            provider: HetznerFailure.provider, path: path, operation: operation, totalName: "the number of entries", owner: "project",
            logger: logger,
            fetch: { page in
                try await get(path, query: query + [("page", String(page)), ("per_page", String(perPage))], as: type, operation: operation)
            },
            items: items, enough: enough)
    }
}
