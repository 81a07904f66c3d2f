import Foundation
import ScaleCore

/// Turns DigitalOcean's answers into ``ProviderError``s: its error `id`, message and `request_id`,
/// whether waiting helps, and what on-call should do.
enum DigitalOceanFailure {
    static let provider = "digitalocean"

    /// How its answers are read by the shared transport, with the per-minute limit (250 by default) the
    /// headers do not report.
    static func dialect(perMinute: Int) -> JSONTransport.Dialect {
        JSONTransport.Dialect(
            name: provider, requestIDHeader: "x-request-id", failure: { error($0, operation: $1, now: $2) },
            unanswered: { error($0, operation: $1) }, malformed: { malformed($0, $1, requestID: $2) },
            window: (perMinute, .seconds(60)))
    }

    /// Ours: a create refused because the account's droplet limit would be exceeded (DigitalOcean
    /// answers 422 `unprocessable_entity` with a message about the droplet limit).
    static let dropletLimitCode = "droplet_limit_exceeded"

    static let passingStatuses: Set<Int> = [429, 500, 502, 503, 504]

    static func hint(for code: String) -> String? {
        switch code {
        case dropletLimitCode:
            "the account's droplet limit is reached; lower the role counts (scalectl override) or ask DigitalOcean to raise the limit"
        case "unauthorized", "forbidden":
            "check the API token: it must be valid and have write scope for droplets, tags and load balancers"
        case "not_found":
            nil
        case "too_many_requests":
            "DigitalOcean's request limit (5000 an hour, 250 a minute) was reached; calls are paced and retried"
        case "server_error", "service_unavailable", "bad_gateway", "timeout":
            "a passing condition at DigitalOcean, retried with backoff; if it lasts, check https://status.digitalocean.com"
        case "unprocessable_entity":
            "DigitalOcean refused the request; check size, region, vpc_uuid, ssh_keys and the snapshot in the configuration"
        default:
            nil
        }
    }

    /// The error an HTTP answer with a non-2xx status stands for.
    static func error(_ response: HTTPResponse, operation: String, now: Date) -> ProviderError {
        var requestID = response.headers["x-request-id"]
        var code: String
        var message: String
        if let body = try? RESTSupport.decoder.decode(DigitalOcean.ErrorBody.self, from: response.body) {
            code = body.id
            message = body.message
            requestID = body.requestID.flatMap { $0.isEmpty ? nil : $0 } ?? requestID
        } else {
            (code, message) = RESTSupport.unexplained(response, codes: [
                401: "unauthorized", 403: "forbidden", 404: "not_found", 429: "too_many_requests", 500: "server_error", 502: "bad_gateway",
                503: "service_unavailable", 504: "timeout",
            ])
        }
        if code.isEmpty { code = "http_\(response.status)" }
        if response.status == 422, isDropletLimit(message) { code = dropletLimitCode }
        let retry: ProviderError.Retry
        if ProviderError.quotaCodes.contains(code) {
            retry = .no
        } else if response.status == 429 {
            retry = .yes(after: HeaderRateLimit.retryAfter(response, now: now))
        } else if passingStatuses.contains(response.status) {
            retry = .yes(after: nil)
        } else {
            retry = .no
        }
        return ProviderError(
            provider: provider, operation: operation, status: response.status, code: code, message: message,
            requestID: requestID, retry: retry, hint: hint(for: code))
    }

    /// Whether a 422's message speaks of the droplet limit ("creating this/these droplet(s) will exceed
    /// your droplet limit").
    static func isDropletLimit(_ message: String) -> Bool {
        message.lowercased().contains("droplet limit")
    }

    /// A request that got no answer (timeout, unreachable) or an answer too large.
    static func error(_ error: HTTPError, operation: String) -> ProviderError {
        ProviderError(error, provider: provider, operation: operation, hint: error.code == "timeout" ? hint(for: "timeout") : nil)
    }

    /// An answer that is not what the API reference documents.
    static func malformed(_ operation: String, _ what: String, requestID: String?) -> ProviderError {
        ProviderError(
            provider: provider, operation: operation, code: "unexpected_answer", message: what, requestID: requestID,
            hint: "the API answered in a shape this build does not know; check the endpoint setting")
    }
}
