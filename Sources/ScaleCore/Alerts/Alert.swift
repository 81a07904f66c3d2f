import Foundation

/// A message for on-call: the first line says what failed, for which event, and how long before it starts;
/// the body says which step, which nodes, what the provider answered, what was done, and what to run.
public struct Alert: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case failure, resolved, success, test
    }

    public struct EventRef: Sendable, Hashable, Codable {
        public var id: Int64
        public var name: String
        public var start: Date
    }

    public struct NodeRef: Sendable, Hashable, Codable {
        public var name: String
        public var id: String
        public var address: String?
        public var state: String
    }

    public struct ProviderAnswer: Sendable, Hashable, Codable {
        public var provider: String
        public var status: Int?
        public var code: String
        public var message: String
        public var requestID: String?

        public init(provider: String, status: Int?, code: String, message: String, requestID: String?) {
            self.provider = provider
            self.status = status
            self.code = code
            self.message = message
            self.requestID = requestID
        }

        /// What a failed provider call answered.
        public init(_ error: ProviderError) {
            self.init(provider: error.provider, status: error.status, code: error.code, message: error.message, requestID: error.requestID)
        }
    }

    public var kind: Kind
    public var fleet: String
    public var command: String
    public var title: String
    public var event: EventRef?
    public var step: String?
    public var role: String?
    public var nodes: [NodeRef]
    public var details: [String]
    public var providerError: ProviderAnswer?
    public var action: String?
    public var commands: [String]
    public var at: Date
    /// The on-call overrides in force when it was written (`#3 hold until ... by ana: ...`).
    public var overrides: [String] = []

    /// Failures of the same step of the same role for the same event are one problem.
    public var problemKey: String {
        [fleet, event.map { String($0.id) } ?? "-", role ?? "-", step ?? "-"].joined(separator: "|")
    }

    /// The whole message as plain text.
    public var text: String {
        var lines = [title, ""]
        if let step { lines.append("Step: \(step)" + (role.map { " (role \($0))" } ?? "")) }
        if let event { lines.append("Event: #\(event.id) \"\(event.name)\" starting \(TimeText.iso(event.start))") }
        if !nodes.isEmpty {
            lines.append("Nodes:")
            lines += nodes.map { "  - \($0.name) (id \($0.id)\($0.address.map { ", \($0)" } ?? ""), \($0.state))" }
        }
        if !details.isEmpty {
            lines.append("Details:")
            lines += details.map { "  - \($0)" }
        }
        if let answer = providerError {
            var line = "Provider answer: \(answer.provider) \(answer.code)"
            if let status = answer.status { line += " (HTTP \(status))" }
            line += ": \(answer.message)"
            if let id = answer.requestID { line += " [request id \(id)]" }
            lines.append(line)
        }
        if let action { lines.append("What the controller did: \(action)") }
        if !overrides.isEmpty {
            lines.append("Overrides in force:")
            lines += overrides.map { "  \($0)" }
        }
        if !commands.isEmpty {
            lines.append("What you can run:")
            lines += commands.map { "  \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}

extension Alert {
    /// The alert for a failed step.
    public static func failure(
        _ failure: StepFailure, command: String, fleet: String, event: Event?, zone: TimeZone, now: Date, overrides: [Override] = []
    ) -> Alert {
        var nodes = failure.nodes.map { NodeRef(name: $0.name, id: $0.id, address: $0.privateIP ?? $0.publicIP, state: $0.providerStatus ?? $0.state.rawValue) }
        nodes.sort { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
        return Alert(
            kind: .failure, fleet: fleet, command: command,
            title: headline(failure.summary, fleet: fleet, event: event, zone: zone, now: now),
            event: event.map { EventRef(id: $0.id, name: $0.name, start: $0.start) }, step: failure.step, role: failure.role,
            nodes: nodes, details: failure.details,
            providerError: failure.providerError.map(ProviderAnswer.init),
            action: failure.action,
            commands: suggestions(for: failure, command: command),
            at: now, overrides: overrides.map { $0.summary(zone: zone) })
    }

    /// Commands on-call can paste as printed: looking, running the same command again, and (when a role
    /// of an `up` could not reach its count) running that role with the nodes that work.
    static func suggestions(for failure: StepFailure, command: String) -> [String] {
        var commands = ["scalectl status", "scalectl history --limit 3", "scalectl \(command)"]
        let working = failure.passing ?? failure.nodes.filter { $0.state == .running }.count
        if command != "down", failure.role != "fleet", working > 0 {
            commands.append("scalectl override set \(failure.role) \(working) --reason \"go on with the \(failure.role) nodes that work\"")
        }
        return commands
    }

    /// `Mihiluze gala 2026-11-23 21:00 CET: 2 of 5 frontal nodes unhealthy ..., 38 min before start`
    public static func headline(_ summary: String, fleet: String, event: Event?, zone: TimeZone, now: Date) -> String {
        guard let event else { return "\(fleet): \(summary)" }
        let minutes = Int((event.start.timeIntervalSince(now) / 60).rounded())
        let when = minutes >= 0 ? "\(minutes) min before start" : "\(-minutes) min after start"
        return "\(event.name) \(TimeText.local(event.start, zone: zone)): \(summary), \(when)"
    }
}
