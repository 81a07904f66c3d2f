import Foundation
import Logging
import ScaleCore

/// The one place a JSON-over-HTTPS provider's requests go through (Hetzner Cloud, DigitalOcean): the
/// bearer token, the run's ``ProviderCalls`` (pacing, retries, counts), the request budget the
/// `RateLimit-*` headers report, the provider's error answers, and decoding, with the token scrubbed from
/// every error.
struct JSONTransport: Sendable {
    /// How one provider words its answers.
    struct Dialect: Sendable {
        /// `hetzner`, `digitalocean`: for log messages.
        var name: String
        /// The header carrying the id to quote to support (`x-correlation-id`, `x-request-id`).
        var requestIDHeader: String
        /// The error a non-2xx answer stands for.
        var failure: @Sendable (HTTPResponse, _ operation: String, _ now: Date) -> ProviderError
        /// The error of a request that got no answer.
        var unanswered: @Sendable (HTTPError, _ operation: String) -> ProviderError
        /// The error of an answer in a shape this build does not know.
        var malformed: @Sendable (_ operation: String, _ what: String, _ requestID: String?) -> ProviderError
        /// A short-window limit the `RateLimit-*` headers do not report (see ``HeaderRateLimit``).
        var window: (limit: Int, length: Duration)? = nil
    }

    let endpoint: URL
    private let token: Secret
    private let http: HTTPClient
    let timeout: Duration
    let rateLimit: HeaderRateLimit
    let clock: any ScaleClock
    let logger: Logger
    let dialect: Dialect

    init(endpoint: URL, token: Secret, http: HTTPClient, timeout: Duration, clock: any ScaleClock, logger: Logger, dialect: Dialect) {
        self.endpoint = endpoint
        self.token = token
        self.http = http
        self.timeout = timeout
        self.clock = clock
        self.logger = logger
        self.dialect = dialect
        self.rateLimit = HeaderRateLimit(window: dialect.window)
    }

    /// One request through the run's ``ProviderCalls``, its answer decoded in the same attempt; an empty
    /// answer (204) is ``EmptyAnswer``.
    func exchange<T: Decodable & Sendable>(
        _ method: String, _ path: String, query: [(String, String)] = [], body: (any Encodable)? = nil, effect: ProviderCalls.Effect,
        as type: T.Type, operation: String
    ) async throws -> T {
        var data: Data?
        if let body {
            do {
                data = try RESTSupport.encoder.encode(body)
            } catch {
                throw ProviderError(provider: dialect.name, operation: operation, code: "unexpected", message: "could not encode the request: \(error)")
            }
        }
        return try await ProviderCalls.request(RESTSupport.kind(method, path), operation, effect: effect) { [data] in
            do {
                let response = try await send(method, path, query: query, body: data, operation: operation)
                return try decode(type, response, operation: operation, rereadable: effect == .read)
            } catch let error as ProviderError {
                throw error.scrubbed(of: [token])
            }
        }
    }

    /// Sends one request and returns a 2xx answer; anything else is thrown as a ``ProviderError``.
    private func send(_ method: String, _ path: String, query: [(String, String)], body: Data?, operation: String) async throws -> HTTPResponse {
        let url = RESTSupport.url(endpoint, path: path, query: query)
        var headers = ["Authorization": "Bearer \(token.reveal())", "Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout))
        } catch let error as HTTPError {
            logger.debug("Provider request got no answer", metadata: ["provider.name": "\(dialect.name)", "http.method": "\(method)", "http.path": "\(path)", "error.code": "\(error.code)"])
            throw dialect.unanswered(error, operation)
        }
        let now = clock.now()
        await rateLimit.record(response.headers, now: now)
        logger.debug(
            "Provider request answered",
            metadata: [
                "provider.name": "\(dialect.name)", "http.method": "\(method)", "http.path": "\(path)", "http.status": "\(response.status)",
                "http.request_id": "\(response.headers[dialect.requestIDHeader] ?? "-")",
            ])
        guard response.isSuccess else { throw dialect.failure(response, operation, now) }
        return response
    }

    /// - Parameter rereadable: a garbled answer to a read is worth reading again; a mutation's was carried out.
    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse, operation: String, rereadable: Bool) throws -> T {
        if response.body.isEmpty, let nothing = EmptyAnswer() as? T { return nothing }
        do {
            return try RESTSupport.decoder.decode(type, from: response.body)
        } catch {
            var failure = dialect.malformed(
                operation, "could not read the answer (HTTP \(response.status)) as \(T.self): \(RESTSupport.describe(error))",
                response.headers[dialect.requestIDHeader])
            if rereadable { failure.retry = .yes(after: nil) }
            throw failure
        }
    }
}

/// An API client built on a ``JSONTransport``: its clock, logger and request budget are the transport's.
protocol TransportBacked: Sendable {
    var transport: JSONTransport { get }
}

extension TransportBacked {
    var clock: any ScaleClock { transport.clock }
    var logger: Logger { transport.logger }
    var rateLimit: HeaderRateLimit { transport.rateLimit }
}

/// The empty answer of a 204 (a delete, a change of members).
struct EmptyAnswer: Decodable, Sendable {}
