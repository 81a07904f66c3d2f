import Foundation

/// Where an image stands at the provider. Only an `available` one is ever chosen to create nodes from.
public enum ImageStatus: String, Sendable, Hashable, Codable {
    case creating, available, failed
}

/// A machine image as the provider reports it, with what pruning and cost need to know.
public struct ImageRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var status: ImageStatus
    public var createdAt: Date
    /// Its labels (tags on AWS): a fleet's own images carry ``OwnershipLabel/fleet`` and ``OwnershipLabel/role``.
    public var labels: [String: String]
    /// Stored size in GB, when the provider says (Hetzner `image_size`, the sum of an AMI's EBS volumes).
    public var sizeGB: Double?
    /// The provider's own word for the state (`pending`, `creating`, ...), for messages.
    public var providerStatus: String?

    public init(
        id: String, name: String, status: ImageStatus, createdAt: Date, labels: [String: String] = [:], sizeGB: Double? = nil,
        providerStatus: String? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.createdAt = createdAt
        self.labels = labels
        self.sizeGB = sizeGB
        self.providerStatus = providerStatus
    }

    /// The snapshot nodes are created from.
    public var snapshot: Snapshot { Snapshot(id: id, name: name, createdAt: createdAt) }

    /// `frontal-2026-12-01 (id 42, creating)`: how messages name an image.
    public var summary: String { "\(name) (id \(id), \(providerStatus.map { $0 == status.rawValue ? $0 : "\(status.rawValue), provider says \($0)" } ?? status.rawValue))" }
}

/// What to take one snapshot of, and how.
public struct SnapshotRequest: Sendable, Hashable {
    /// The template server.
    public var server: Node
    public var name: String
    public var labels: [String: String]
    /// Stop (Hetzner: graceful shutdown; AWS: let `CreateImage` reboot) for a consistent file system.
    public var consistent: Bool

    public init(server: Node, name: String, labels: [String: String], consistent: Bool) {
        self.server = server
        self.name = name
        self.labels = labels
        self.consistent = consistent
    }
}

/// A provider on which the controller takes the roles' daily snapshots itself (`scalectl snapshot`).
///
/// Each method makes its requests once (callers retry through ``ProviderCalls``). Deleting is only
/// ever asked for images carrying this fleet's label; the caller checks, the provider checks again.
public protocol SnapshotTaking: Sendable {
    /// The servers `from` names: a server name, or a label selector (`role=frontal-template`) when it
    /// contains `=`. Any owner: a template is the user's server, not the fleet's.
    func templateServers(_ from: String) async throws -> [Node]

    /// Starts an image of `request.server` and returns it as first reported (normally `creating`).
    func takeSnapshot(_ request: SnapshotRequest) async throws -> ImageRecord

    /// This fleet's images of `role` (carrying both ownership labels), in every status.
    func ownedImages(role: String) async throws -> [ImageRecord]

    /// One image by id, or nil when it is gone.
    func image(id: String) async throws -> ImageRecord?

    /// Deletes an image and what stores it (on AWS the AMI's EBS snapshots). A gone image is not an error.
    func deleteImage(_ image: ImageRecord) async throws
}
