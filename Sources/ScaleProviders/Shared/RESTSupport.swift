import Foundation
import ScaleCore

/// What the JSON-over-HTTPS providers share: request URLs and readable decoding errors.
enum RESTSupport {
    /// The request URL; query values are percent-encoded strictly, so label selectors and tag names travel intact.
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

    /// `missing server.id`, `meta.total: ...`: a decoding error as a short sentence.
    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }

    /// A JSON decoder reading ISO 8601 times with or without fractional seconds; keys are spelled out
    /// (no snake-case strategy), so label keys travel unchanged.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: .iso8601) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not an ISO 8601 time"))
        }
        return decoder
    }()

    /// The code and message of an error answer without the provider's error body (a proxy's page, an
    /// empty body): the code `codes` names for the status (else `http_STATUS`), and the start of the body.
    static func unexplained(_ response: HTTPResponse, codes: [Int: String]) -> (code: String, message: String) {
        let text = String(decoding: response.body.prefix(200), as: UTF8.self).filter { !$0.isNewline }.trimmingCharacters(in: .whitespaces)
        return (
            codes[response.status] ?? "http_\(response.status)",
            text.isEmpty ? "HTTP \(response.status) with no error body" : "HTTP \(response.status): \(text)"
        )
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// The kind a request is counted under: `GET /servers`, `POST /servers/{id}/actions/shutdown`. Numeric
    /// and UUID path parts are ids.
    static func kind(_ method: String, _ path: String) -> String {
        let parts = path.split(separator: "/").map { part in
            part.allSatisfy(\.isNumber) || UUID(uuidString: String(part)) != nil ? "{id}" : String(part)
        }
        return "\(method) /" + parts.joined(separator: "/")
    }
}
