import Foundation
import ScaleCore

/// The parts of Hetzner Cloud API answers the provider reads (https://docs.hetzner.cloud/).
enum Hetzner {
    struct Pagination: Decodable {
        var nextPage: Int?
        var totalEntries: Int?
        enum CodingKeys: String, CodingKey { case nextPage = "next_page", totalEntries = "total_entries" }
    }

    struct Meta: Decodable {
        var pagination: Pagination?
    }

    /// A page of a paginated list.
    protocol Paged: NumberedPage {
        var meta: Meta? { get }
    }

    /// A resource read by its name only (a server type, a location).
    struct ServerType: Decodable {
        var name: String
    }

    struct Address: Decodable {
        var ip: String
    }

    struct PublicNet: Decodable {
        var ipv4: Address?
    }

    struct PrivateNet: Decodable {
        var network: Int
        var ip: String
    }

    struct Server: Decodable {
        var id: Int
        var name: String
        var status: String
        var created: Date?
        var labels: [String: String]?
        var serverType: ServerType?
        var publicNet: PublicNet?
        var privateNet: [PrivateNet]?
        /// The image it was created from (null once that image is deleted, or for an ISO install).
        var image: ResourceID?
        /// Where it runs (Hetzner added the top-level `location` when it removed `datacenter`); only its name is read.
        var location: ServerType?
        enum CodingKeys: String, CodingKey {
            case id, name, status, created, labels, image, location
            case serverType = "server_type", publicNet = "public_net", privateNet = "private_net"
        }
    }

    /// An image: `status` is `creating`, `available` or `unavailable`; `image_size` in GB, null while creating.
    struct Image: Decodable {
        var id: Int
        var type: String
        var status: String
        var name: String?
        var description: String?
        var created: Date
        var labels: [String: String]?
        var imageSize: Double?
        enum CodingKeys: String, CodingKey { case id, type, status, name, description, created, labels, imageSize = "image_size" }
    }

    struct ActionError: Decodable {
        var code: String
        var message: String
    }

    struct Action: Decodable {
        var id: Int
        var command: String
        var status: String
        var error: ActionError?
    }

    struct HealthStatus: Decodable {
        var listenPort: Int?
        var status: String
        enum CodingKeys: String, CodingKey { case listenPort = "listen_port", status }
    }

    struct ResourceID: Decodable {
        var id: Int
    }

    struct Selector: Decodable {
        var selector: String
    }

    /// A target of a load balancer; a `label_selector` target lists the servers it resolved in `targets`.
    struct Target: Decodable {
        var type: String
        var server: ResourceID?
        var labelSelector: Selector?
        var healthStatus: [HealthStatus]?
        var targets: [Target]?
        enum CodingKeys: String, CodingKey {
            case type, server, targets
            case labelSelector = "label_selector", healthStatus = "health_status"
        }
    }

    struct LoadBalancer: Decodable {
        var id: Int
        var name: String
        var targets: [Target]
        var location: Location?
    }

    /// `{name, network_zone}`: where a load balancer (or a server) is.
    struct Location: Decodable {
        var name: String
        var networkZone: String?
        enum CodingKeys: String, CodingKey { case name, networkZone = "network_zone" }
    }

    /// `{"error": {"code", "message", "details"}}`.
    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            struct Field: Decodable {
                var name: String
                var messages: [String]?
            }
            var fields: [Field]?
        }
        struct Inner: Decodable {
            var code: String
            var message: String
            var details: Detail?
        }
        var error: Inner
    }

    // Answers, one per call.

    struct ServerList: Paged {
        var servers: [Server]
        var meta: Meta?
    }

    struct ImageList: Paged {
        var images: [Image]
        var meta: Meta?
    }

    struct ActionList: Paged {
        var actions: [Action]
        var meta: Meta?
    }

    struct LoadBalancerList: Paged {
        var loadBalancers: [LoadBalancer]
        var meta: Meta?
        enum CodingKeys: String, CodingKey { case loadBalancers = "load_balancers", meta }
    }

    struct LoadBalancerAnswer: Decodable {
        var loadBalancer: LoadBalancer
        enum CodingKeys: String, CodingKey { case loadBalancer = "load_balancer" }
    }

    struct CreatedServer: Decodable {
        var server: Server
        var action: Action
        var nextActions: [Action]?
        enum CodingKeys: String, CodingKey { case server, action, nextActions = "next_actions" }
    }

    struct ActionAnswer: Decodable {
        var action: Action
    }

    struct ServerAnswer: Decodable {
        var server: Server
    }

    static var decoder: JSONDecoder { RESTSupport.decoder }
}

extension Hetzner.Server {
    /// Hetzner's server status in the controller's words.
    ///
    /// `initializing` and `starting` are `creating`; `migrating` is a live migration of a running server,
    /// so `running`; `rebuilding` and `unknown` are passing states of a server that still exists, so
    /// `creating` (waited on, shown with Hetzner's word, never deleted for it); anything else is `error`.
    static func state(of status: String) -> NodeState {
        switch status {
        case "initializing", "starting", "rebuilding", "unknown": .creating
        case "running", "migrating": .running
        case "stopping": .stopping
        case "off": .off
        case "deleting": .deleting
        default: .error
        }
    }

    /// The node, with the private address on `network` (or the first network when none is configured).
    func node(network: Int?) -> Node {
        let privateAddress = privateNet?.first { network == nil || $0.network == network }?.ip
        return Node(
            id: String(id), name: name, state: Self.state(of: status), labels: labels ?? [:], privateIP: privateAddress,
            publicIP: publicNet?.ipv4?.ip, serverType: serverType?.name, createdAt: created, providerStatus: status,
            imageID: image.map { String($0.id) }, location: location?.name)
    }
}

extension Hetzner.Target {
    /// Health of a target: healthy when every service says healthy, unhealthy when one says unhealthy,
    /// unknown otherwise (no service checked yet, or none configured).
    var health: BalancerHealth {
        let statuses = (healthStatus ?? []).map(\.status)
        if statuses.contains("unhealthy") { return .unhealthy }
        if !statuses.isEmpty && statuses.allSatisfy({ $0 == "healthy" }) { return .healthy }
        return .unknown
    }
}

/// Request bodies, spelled as the API documents them.
extension Hetzner {
    /// `POST /servers`.
    struct CreateServer: Encodable {
        struct FirewallRef: Encodable {
            var firewall: Int
        }
        var name: String
        var serverType: String
        var image: String
        var location: String?
        var labels: [String: String]
        var networks: [Int]?
        var firewalls: [FirewallRef]?
        enum CodingKeys: String, CodingKey { case name, serverType = "server_type", image, location, labels, networks, firewalls }
    }

    /// `POST /load_balancers/{id}/actions/add_target` and `remove_target` (which takes no `use_private_ip`).
    struct TargetRequest: Encodable {
        struct ServerRef: Encodable {
            var id: Int
        }
        struct SelectorRef: Encodable {
            var selector: String
        }
        var type: String
        var server: ServerRef?
        var labelSelector: SelectorRef?
        var usePrivateIP: Bool?
        enum CodingKeys: String, CodingKey { case type, server, labelSelector = "label_selector", usePrivateIP = "use_private_ip" }

        static func server(_ id: Int, usePrivateIP: Bool?) -> TargetRequest {
            TargetRequest(type: "server", server: ServerRef(id: id), usePrivateIP: usePrivateIP)
        }

        static func selector(_ selector: String, usePrivateIP: Bool?) -> TargetRequest {
            TargetRequest(type: "label_selector", labelSelector: SelectorRef(selector: selector), usePrivateIP: usePrivateIP)
        }
    }
}

extension Hetzner.Paged {
    var reportedTotal: Int? { meta?.pagination?.totalEntries }
    var nextPage: Int? { meta?.pagination?.nextPage }
}
