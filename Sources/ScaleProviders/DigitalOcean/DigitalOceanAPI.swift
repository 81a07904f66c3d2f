import Foundation
import Logging
import ScaleCore

/// One DigitalOcean account's API: authentication, JSON, errors, the request budget and pagination.
///
/// Every request goes through ``ProviderCalls/request(_:_:effect:_:)`` (pacing by the `ratelimit-*`
/// headers, 429s with `retry-after`, retries); each method makes its HTTP request once.
struct DigitalOceanAPI: TransportBacked {
    let transport: JSONTransport
    let perPage: Int

    init(
        endpoint: URL, token: Secret, http: HTTPClient, timeout: Duration, perPage: Int, perMinute: Int, clock: any ScaleClock, logger: Logger
    ) {
        self.transport = JSONTransport(
            endpoint: endpoint, token: token, http: http, timeout: timeout, clock: clock, logger: logger,
            dialect: DigitalOceanFailure.dialect(perMinute: perMinute))
        self.perPage = perPage
    }

    func get<T: Decodable & Sendable>(_ path: String, query: [(String, String)] = [], as type: T.Type, operation: String) async throws -> T {
        try await transport.exchange("GET", path, query: query, effect: .read, as: type, operation: operation)
    }

    /// POSTs `body` as JSON: a mutation, sent again only when DigitalOcean answered that it did not carry it out.
    func post<T: Decodable & Sendable>(_ path: String, body: any Encodable, as type: T.Type, operation: String) async throws -> T {
        try await transport.exchange("POST", path, body: body, effect: .mutation, as: type, operation: operation)
    }

    /// DELETEs, with a JSON body when given (`/v2/load_balancers/{id}/droplets` and `/v2/tags/{tag}/resources` take one).
    func delete<T: Decodable & Sendable>(_ path: String, body: (any Encodable)? = nil, as type: T.Type, operation: String) async throws -> T {
        try await transport.exchange("DELETE", path, body: body, effect: .mutation, as: type, operation: operation)
    }

    /// Every item of a paginated list, following `links.pages.next` until it is absent (see
    /// ``PagedListing``). The page number is read from that link and asked of the configured endpoint (the
    /// token never goes to a host an answer names).
    func all<Page: DigitalOcean.Paged & Sendable, Item>(
        _ path: String, query: [(String, String)] = [], page type: Page.Type, operation: String, items: (Page) -> [Item]
    ) async throws -> [Item] {
        try await PagedListing.all(
            provider: DigitalOceanFailure.provider, path: path, operation: operation, totalName: "meta.total", owner: "account",
            logger: logger,
            fetch: { page in
                try await get(path, query: query + [("page", String(page)), ("per_page", String(perPage))], as: type, operation: operation)
            },
            items: items)
    }

    /// The `page` query value of a `links.pages` URL.
    static func page(of link: String) -> Int? {
        URLComponents(string: link)?.queryItems?.first { $0.name == "page" }?.value.flatMap(Int.init)
    }
}
