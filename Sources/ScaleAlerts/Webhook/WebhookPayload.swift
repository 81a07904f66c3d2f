import Foundation
import ScaleCore

/// The body `format = "json"` posts: a stable, documented schema (see docs/operations.md, Alerts).
/// Absent values are `null`, never left out.
public struct WebhookDocument: Encodable, Sendable {
    public struct EventDocument: Encodable, Sendable {
        var id: Int64
        var name: String
        var start: String
    }

    public struct NodeDocument: Encodable, Sendable {
        var name: String
        var id: String
        var address: Nullable<String>
        var state: String
    }

    public struct ProviderErrorDocument: Encodable, Sendable {
        var provider: String
        var status: Nullable<Int>
        var code: String
        var message: String
        var requestId: Nullable<String>

        private enum CodingKeys: String, CodingKey {
            case provider, status, code, message, requestId = "request_id"
        }
    }

    var version = 1
    var kind: String
    var fleet: String
    var command: String
    var title: String
    var text: String
    var event: Nullable<EventDocument>
    var step: Nullable<String>
    var role: Nullable<String>
    var nodes: [NodeDocument]
    var details: [String]
    var providerError: Nullable<ProviderErrorDocument>
    var action: Nullable<String>
    var commands: [String]
    var overrides: [String]
    var problemKey: Nullable<String>
    var at: String

    private enum CodingKeys: String, CodingKey {
        case version, kind, fleet, command, title, text, event, step, role, nodes, details
        case providerError = "provider_error", action, commands, overrides, problemKey = "problem_key", at
    }

    public init(_ alert: Alert) {
        kind = alert.kind.rawValue
        fleet = alert.fleet
        command = alert.command
        title = alert.title
        text = alert.text
        event = Nullable(alert.event.map { EventDocument(id: $0.id, name: $0.name, start: TimeText.iso($0.start)) })
        step = Nullable(alert.step)
        role = Nullable(alert.role)
        nodes = alert.nodes.map { NodeDocument(name: $0.name, id: $0.id, address: Nullable($0.address), state: $0.state) }
        details = alert.details
        providerError = Nullable(alert.providerError.map {
            ProviderErrorDocument(
                provider: $0.provider, status: Nullable($0.status), code: $0.code, message: $0.message, requestId: Nullable($0.requestID))
        })
        action = Nullable(alert.action)
        commands = alert.commands
        overrides = alert.overrides
        problemKey = Nullable(alert.kind == .failure || alert.kind == .resolved ? alert.problemKey : nil)
        at = TimeText.iso(alert.at)
    }
}

/// Slack's incoming-webhook message: `text` (the notification line) and `blocks` (a header with the
/// first line, the body as preformatted text, and a context line).
public struct SlackMessage: Encodable, Sendable {
    struct Text: Encodable, Sendable {
        var type: String
        var text: String
    }

    struct Block: Encodable, Sendable {
        var type: String
        var text: Text?
        var elements: [Text]?
    }

    var text: String
    var blocks: [Block]

    public init(_ alert: Alert) {
        let marker = switch alert.kind {
        case .failure: ":rotating_light:"
        case .resolved: ":white_check_mark:"
        case .success: ":arrow_up_down:"
        case .test: ":wave:"
        }
        text = "\(marker) \(Self.escape(alert.title))"
        let body = alert.text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
        blocks = [Block(type: "header", text: Text(type: "plain_text", text: Self.clip(alert.title, 150)))]
        if !body.isEmpty {
            blocks.append(Block(type: "section", text: Text(type: "mrkdwn", text: "```\n" + Self.clip(Self.escape(body), 2_900) + "\n```")))
        }
        blocks.append(Block(
            type: "context",
            elements: [Text(type: "mrkdwn", text: "scalectl · fleet \(alert.fleet) · \(alert.kind.rawValue) · \(TimeText.iso(alert.at))")]))
    }

    /// Slack's mrkdwn needs `&`, `<` and `>` escaped.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
