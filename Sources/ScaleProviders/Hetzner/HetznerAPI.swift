import Foundation
import Logging
import ScaleCore

/// One Hetzner Cloud project's API: authentication, JSON, errors, the request budget and pagination.
///
/// Each method makes its HTTP request once; a failure is a ``ProviderError`` that says whether waiting
/// helps, and retrying is left to `ProviderCalls`.
struct HetznerAPI: Sendable {
    let endpoint: URL
    private let token: Secret
    private let http: HTTPClient
    let timeout: Duration
    let perPage: Int
    let rateLimit: HetznerRateLimit
    let clock: any ScaleClock
    let logger: Logger

    init(endpoint: URL, token: Secret, http: HTTPClient, timeout: Duration, perPage: Int, clock: any ScaleClock, logger: Logger) {
        self.endpoint = endpoint
        self.token = token
        self.http = http
        self.timeout = timeout
        self.perPage = perPage
        self.rateLimit = HetznerRateLimit()
        self.clock = clock
        self.logger = logger
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// A read: retried freely by ``ProviderCalls``; a truncated or malformed answer is read again.
    func get<T: Decodable & Sendable>(_ path: String, query: [(String, String)] = [], as type: T.Type, operation: String) async throws -> T {
        try await exchange("GET", path, query: query, effect: .read, as: type, operation: operation)
    }

    /// POSTs `body` as JSON, or nothing (the server actions take no body): a mutation, sent again only
    /// when Hetzner answered that it did not carry it out.
    func post<T: Decodable & Sendable>(_ path: String, body: (any Encodable)? = nil, as type: T.Type, operation: String) async throws -> T {
        var data: Data?
        if let body {
            do {
                data = try Self.encoder.encode(body)
            } catch {
                throw ProviderError(provider: HetznerFailure.provider, operation: operation, code: "unexpected", message: "could not encode the request: \(error)")
            }
        }
        return try await exchange("POST", path, body: data, effect: .mutation, as: type, operation: operation)
    }

    func delete<T: Decodable & Sendable>(_ path: String, as type: T.Type, operation: String) async throws -> T {
        try await exchange("DELETE", path, effect: .mutation, as: type, operation: operation)
    }

    /// Every item of a paginated list, following `meta.pagination.next_page` until it is null, or until a
    /// page holds an item `enough` accepts. Pages that disagree on `total_entries` (the list changed
    /// while it was read) are read again from the first page; if they still disagree the listing fails.
    func all<Page: Hetzner.Paged & Sendable, Item>(
        _ path: String, query: [(String, String)] = [], page type: Page.Type, operation: String,
        items: (Page) -> [Item], enough: (Item) -> Bool = { _ in false }
    ) async throws -> [Item] {
        var totals: [Int] = []
        for _ in 0..<Self.listingAttempts {
            var collected: [Item] = []
            var page = 1
            var total: Int?
            var consistent = true
            for _ in 0..<10_000 {
                let answer = try await get(path, query: query + [("page", String(page)), ("per_page", String(perPage))], as: type, operation: operation)
                collected += items(answer)
                if collected.contains(where: enough) { return collected }
                if let reported = answer.meta?.pagination?.totalEntries {
                    if let total, total != reported {
                        totals = [total, reported]
                        consistent = false
                        break
                    }
                    total = reported
                }
                guard let following = answer.meta?.pagination?.nextPage, following > page else { break }
                page = following
            }
            if consistent { return collected }
            logger.info("Hetzner pages disagreed; listing again", metadata: ["http.path": "\(path)", "list.totals": "\(totals)"])
        }
        throw ProviderError(
            provider: HetznerFailure.provider, operation: operation, code: "inconsistent_pages",
            message: "the pages of \(path) disagreed on the number of entries (\(totals.map(String.init).joined(separator: " then "))) in \(Self.listingAttempts) listings in a row",
            retry: .yes(after: nil),
            hint: "the project changed faster than it could be listed; run the command again")
    }

    /// Listings read again when their pages disagree, before giving up.
    static let listingAttempts = 3

    /// One request through the run's ``ProviderCalls``, its answer decoded in the same attempt.
    private func exchange<T: Decodable & Sendable>(
        _ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil, effect: ProviderCalls.Effect,
        as type: T.Type, operation: String
    ) async throws -> T {
        try await ProviderCalls.request(Self.kind(method, path), operation, effect: effect) {
            do {
                return try decode(type, try await send(method, path, query: query, body: body, operation: operation), operation: operation, rereadable: effect == .read)
            } catch let error as ProviderError {
                throw error.scrubbed(of: [token])
            }
        }
    }

    /// The kind a request is counted under: `GET /servers`, `POST /servers/{id}/actions/shutdown`.
    static func kind(_ method: String, _ path: String) -> String {
        "\(method) " + path.split(separator: "/").map { $0.allSatisfy(\.isNumber) ? "{id}" : String($0) }.joined(separator: "/").prefixed("/")
    }

    /// Sends one request and returns a 2xx answer; anything else is thrown as a ``ProviderError``.
    func send(_ method: String, _ path: String, query: [(String, String)] = [], body: Data? = nil, operation: String) async throws -> HTTPResponse {
        let url = Self.url(endpoint, path: path, query: query)
        var headers = ["Authorization": "Bearer \(token.reveal())", "Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout))
        } catch let error as HTTPError {
            logger.debug("Hetzner request got no answer", metadata: ["http.method": "\(method)", "http.path": "\(path)", "error.code": "\(error.code)"])
            throw HetznerFailure.error(error, operation: operation)
        }
        let now = clock.now()
        await rateLimit.record(response.headers, now: now)
        logger.debug(
            "Hetzner request answered",
            metadata: [
                "http.method": "\(method)", "http.path": "\(path)", "http.status": "\(response.status)",
                "hetzner.correlation_id": "\(response.headers["x-correlation-id"] ?? "-")",
            ])
        guard response.isSuccess else { throw HetznerFailure.error(response, operation: operation, now: now) }
        return response
    }

    /// - Parameter rereadable: a garbled answer to a read is worth reading again; a mutation's was carried out.
    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, operation: String, rereadable: Bool) throws -> T {
        if response.body.isEmpty, let nothing = Hetzner.NoContent() as? T { return nothing }
        do {
            return try Hetzner.decoder.decode(type, from: response.body)
        } catch {
            var failure = HetznerFailure.malformed(
                operation, "could not read the answer (HTTP \(response.status)) as \(T.self): \(Self.describe(error))",
                requestID: response.headers["x-correlation-id"])
            if rereadable { failure.retry = .yes(after: nil) }
            throw failure
        }
    }

    /// The request URL; query values are percent-encoded strictly, so label selectors travel intact.
    static func url(_ endpoint: URL, path: String, query: [(String, String)]) -> URL {
        var text = endpoint.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !query.isEmpty {
            let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
            text += "?" + query.map { key, value in
                "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value)"
            }.joined(separator: "&")
        }
        return URL(string: text) ?? endpoint
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }
}

extension String {
    fileprivate func prefixed(_ prefix: String) -> String { hasPrefix(prefix) ? self : prefix + self }
}
