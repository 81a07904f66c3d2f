import Foundation

/// The provider-independent state of a server; each provider maps its own words onto these.
public enum NodeState: String, Sendable, Codable, CaseIterable {
    case creating, running, stopping, off, deleting, error
}

/// What a load balancer says of one of its targets.
public enum BalancerHealth: String, Sendable, Codable {
    case healthy, unhealthy, unknown
}

/// The labels (tags on AWS) the controller puts on everything it creates.
///
/// A server without this fleet's `fleet` label is never changed or deleted.
public enum OwnershipLabel {
    public static let fleet = "scalectl-fleet"
    public static let role = "scalectl-role"
    public static let event = "scalectl-event"
    public static let run = "scalectl-run"
}

/// A server as the provider reports it.
public struct Node: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var state: NodeState
    public var labels: [String: String]
    public var privateIP: String?
    public var publicIP: String?
    public var serverType: String?
    public var createdAt: Date?
    /// The provider's own word for the state (`initializing`, `pending`, ...), for messages.
    public var providerStatus: String?
    /// Extra values readiness templates may use, such as the sim provider's `port`.
    public var templateValues: [String: String]
    /// The image (snapshot) the node was created from, when the provider says: pruning never deletes it.
    public var imageID: String?
    /// Where it runs (a Hetzner location, an AWS availability zone, a sim location), when the provider says.
    public var location: String?

    public init(
        id: String, name: String, state: NodeState, labels: [String: String] = [:], privateIP: String? = nil,
        publicIP: String? = nil, serverType: String? = nil, createdAt: Date? = nil, providerStatus: String? = nil,
        templateValues: [String: String] = [:], imageID: String? = nil, location: String? = nil
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.labels = labels
        self.privateIP = privateIP
        self.publicIP = publicIP
        self.serverType = serverType
        self.createdAt = createdAt
        self.providerStatus = providerStatus
        self.templateValues = templateValues
        self.imageID = imageID
        self.location = location
    }

    public var fleet: String? { labels[OwnershipLabel.fleet] }
    public var role: String? { labels[OwnershipLabel.role] }
    public var event: String? { labels[OwnershipLabel.event] }

    /// `mihiluze-frontal-3-2 (id 812, 10.0.0.7, running)`: how messages name a node.
    public var summary: String {
        var parts = ["id \(id)"]
        if let ip = privateIP ?? publicIP { parts.append(ip) }
        parts.append(providerStatus.map { $0 == state.rawValue ? $0 : "\(state.rawValue), provider says \($0)" } ?? state.rawValue)
        return "\(name) (\(parts.joined(separator: ", ")))"
    }
}

/// Deterministic node names: `{fleet}-{role}-{event}-{index}`, valid RFC 1123 host names.
public enum NodeName {
    public static func make(fleet: String, role: String, event: String, index: Int) -> String {
        "\(fleet)-\(role)-\(event)-\(index)"
    }

    /// Whether `text` may be used as a fleet or role name: lowercase letters, digits and inner hyphens.
    public static func isValidPart(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last, text.count <= 24 else { return false }
        return first.isLetter && last != "-"
            && text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }
}
