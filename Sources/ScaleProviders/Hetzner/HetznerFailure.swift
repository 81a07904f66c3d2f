import Foundation
import ScaleCore

/// Turns Hetzner's answers into ``ProviderError``s: code, message, correlation id, whether waiting helps,
/// and what on-call should do.
enum HetznerFailure {
    static let provider = "hetzner"

    /// How its answers are read by the shared transport.
    static let dialect = JSONTransport.Dialect(
        name: provider, requestIDHeader: "x-correlation-id", failure: { error($0, operation: $1, now: $2) }, unanswered: { error($0, operation: $1) },
        malformed: { malformed($0, $1, requestID: $2) })

    /// Codes of passing conditions: retrying later helps.
    static let passing: Set<String> = ["conflict", "locked", "rate_limit_exceeded", "server_error", "unavailable", "timeout", "bad_gateway"]
    static let passingStatuses: Set<Int> = [409, 423, 429, 500, 502, 503, 504]

    /// What a code means for on-call, when we know.
    static func hint(for code: String) -> String? {
        switch code {
        case "resource_limit_exceeded":
            "the Hetzner project's server limit is reached; lower the role counts (scalectl override) or ask Hetzner support to raise the limit"
        case "resource_unavailable":
            "that server type cannot be ordered in that location right now; try another server_type or location, or retry later"
        case "unauthorized", "token_readonly", "forbidden":
            "check the API token: it must belong to the project and have Read & Write permission"
        case "uniqueness_error":
            "a server with that name already exists in the project"
        case "server_not_attached_to_network", "load_balancer_not_attached_to_network", "resolve_cloud_private_targets_error":
            "with use_private_ip the load balancer and the servers must be in the same network; check network and use_private_ip"
        case "missing_ipv4", "resolve_cloud_public_targets_error":
            "the servers have no public IPv4 for the load balancer; set use_private_ip = true with a shared network"
        case "maintenance":
            "Hetzner is in maintenance; check https://status.hetzner.com and run again later"
        case "invalid_input", "json_error":
            "Hetzner refused the request as malformed; check server_type, location, network and firewall ids in the provider profile"
        case _ where passing.contains(code):
            "a passing condition at Hetzner, retried with backoff; if it lasts, check https://status.hetzner.com"
        default:
            nil
        }
    }

    /// The error an HTTP answer with a non-2xx status stands for.
    static func error(_ response: HTTPResponse, operation: String, now: Date) -> ProviderError {
        let requestID = response.headers["x-correlation-id"]
        var code: String
        var message: String
        if let body = try? Hetzner.decoder.decode(Hetzner.ErrorBody.self, from: response.body) {
            code = body.error.code
            message = body.error.message
            let fields = body.error.details?.fields ?? []
            if !fields.isEmpty {
                message += " (" + fields.map { field in
                    field.name + ((field.messages ?? []).isEmpty ? "" : ": " + (field.messages ?? []).joined(separator: "; "))
                }.joined(separator: ", ") + ")"
            }
        } else {
            (code, message) = RESTSupport.unexplained(response, codes: [
                401: "unauthorized", 404: "not_found", 429: "rate_limit_exceeded", 500: "server_error", 502: "bad_gateway",
                503: "unavailable", 504: "timeout",
            ])
        }
        if code.isEmpty { code = "http_\(response.status)" }
        let retry: ProviderError.Retry
        if code == ProviderError.nameTakenCode || ProviderError.soldOutCodes.contains(code) || ProviderError.quotaCodes.contains(code) {
            // Asking again for the same type in the same place does not make room: the caller moves on.
            retry = .no
        } else if response.status == 429 || code == "rate_limit_exceeded" {
            retry = .yes(after: HeaderRateLimit.retryAfter(response, now: now))
        } else if passingStatuses.contains(response.status) || passing.contains(code) {
            retry = .yes(after: nil)
        } else {
            retry = .no
        }
        return ProviderError(
            provider: provider, operation: operation, status: response.status, code: code, message: message,
            requestID: requestID, retry: retry, hint: hint(for: code))
    }

    /// A request that got no answer (timeout, unreachable) or an answer too large.
    static func error(_ error: HTTPError, operation: String) -> ProviderError {
        ProviderError(error, provider: provider, operation: operation, hint: error.code == "timeout" ? hint(for: "timeout") : nil)
    }

    /// An answer that is not what the API documents.
    static func malformed(_ operation: String, _ what: String, requestID: String?) -> ProviderError {
        ProviderError(
            provider: provider, operation: operation, code: "unexpected_answer", message: what, requestID: requestID,
            hint: "the API answered in a shape this build does not know; check the endpoint setting")
    }

    /// An action that ended in `error`.
    static func actionFailed(_ action: Hetzner.Action, operation: String) -> ProviderError {
        let code = action.error?.code ?? "action_failed"
        return ProviderError(
            provider: provider, operation: operation, code: code,
            message: "action \(action.id) (\(action.command)) failed: \(action.error?.message ?? "no reason given")",
            hint: hint(for: code))
    }
}
