import Foundation
import ScaleCore

/// Alerts posted as JSON to a URL: Slack's incoming-webhook shape or scalectl's own document, signed
/// with HMAC-SHA256 when a key is set.
public struct WebhookChannel: AlertChannel {
    public let settings: WebhookSettings
    private let http: HTTPClient
    /// Stamps signatures; real time, whatever `--at` pretends, so receivers can check freshness.
    private let clock: any ScaleClock

    public init(settings: WebhookSettings, http: HTTPClient = .sharedSmall, clock: any ScaleClock = SystemClock()) {
        self.settings = settings
        self.http = http
        self.clock = clock
    }

    public var name: String { settings.name }
    public var target: String { "\(settings.target) (\(settings.format.rawValue))" }

    /// The body posted for `alert`.
    public func body(for alert: Alert) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data? = switch settings.format {
        case .slack: try? encoder.encode(SlackMessage(alert))
        case .json: try? encoder.encode(WebhookDocument(alert))
        }
        return data ?? Data("{}".utf8)
    }

    public func deliver(_ alert: Alert) async throws(AlertDeliveryError) {
        let target = settings.target
        guard let url = URL(string: settings.url.reveal()) else {
            throw AlertDeliveryError("the URL of \(name) is not a URL", retryable: false)
        }
        let body = body(for: alert)
        var headers = ["Content-Type": "application/json; charset=utf-8", "User-Agent": "scalectl"]
        if let key = settings.signingKey {
            headers.merge(WebhookSignature.headers(body: body, key: key, date: clock.now())) { $1 }
        }
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: settings.timeout))
        } catch let error as HTTPError {
            throw AlertDeliveryError(error.description, retryable: error.isPassing)
        } catch {
            throw AlertDeliveryError("posting to \(target) failed: \(error)", retryable: !(error is CancellationError))
        }
        guard response.isSuccess else {
            let answer = String(decoding: response.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw AlertDeliveryError(
                "\(target) answered HTTP \(response.status)" + (answer.isEmpty ? "" : ": \(answer)"),
                retryable: response.status >= 500 || response.status == 429)
        }
    }
}
