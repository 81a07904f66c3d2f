import Foundation
import ScaleCore

/// The parts of DigitalOcean API answers the provider reads (https://docs.digitalocean.com/reference/api/).
enum DigitalOcean {
    /// `links.pages` of a list: `next` is the URL of the following page, absent on the last.
    struct Pages: Decodable {
        var next: String?
    }

    struct Links: Decodable {
        var pages: Pages?
        /// `{id, rel, href}` of the actions a create started.
        var actions: [ActionLink]?
    }

    struct ActionLink: Decodable {
        var id: Int
    }

    /// `meta.total`: the number of items over every page.
    struct Meta: Decodable {
        var total: Int?
    }

    /// A page of a paginated list.
    protocol Paged: NumberedPage {
        var links: Links? { get }
        var meta: Meta? { get }
    }

    struct Slug: Decodable {
        var slug: String
    }

    struct Address: Decodable {
        var ipAddress: String
        var type: String
        enum CodingKeys: String, CodingKey { case ipAddress = "ip_address", type }
    }

    struct Networks: Decodable {
        var v4: [Address]?
    }

    struct ImageRef: Decodable {
        var id: Int?
    }

    /// A droplet: `status` is `new`, `active`, `off` or `archive`.
    struct Droplet: Decodable {
        var id: Int
        var name: String
        var status: String
        var createdAt: Date?
        var tags: [String]?
        var sizeSlug: String?
        var region: Slug?
        var image: ImageRef?
        var networks: Networks?
        enum CodingKeys: String, CodingKey {
            case id, name, status, tags, region, image, networks
            case createdAt = "created_at", sizeSlug = "size_slug"
        }
    }

    /// A snapshot of `GET /v2/snapshots`: ids are strings there; `regions` lists where it can be used.
    /// The schema has no status (a snapshot is listed once taken); one is read if an answer carries it.
    struct Snapshot: Decodable {
        var id: String
        var name: String
        var createdAt: Date
        var regions: [String]
        var resourceType: String?
        var sizeGigabytes: Double?
        var status: String?
        enum CodingKeys: String, CodingKey {
            case id, name, regions, status
            case createdAt = "created_at", resourceType = "resource_type", sizeGigabytes = "size_gigabytes"
        }
    }

    /// An action: `status` is `in-progress`, `completed` or `errored`.
    struct Action: Decodable {
        var id: Int
        var status: String
        var type: String
    }

    /// A load balancer: a tag-based one (`tag` set) holds every droplet carrying the tag, and its
    /// `droplet_ids` cannot be changed; otherwise droplets are added and removed by id.
    struct LoadBalancer: Decodable {
        var id: String
        var name: String
        var status: String?
        var tag: String?
        var dropletIDs: [Int]?
        var region: Slug?
        enum CodingKeys: String, CodingKey { case id, name, status, tag, region, dropletIDs = "droplet_ids" }

        var isTagBased: Bool { !(tag ?? "").isEmpty }
    }

    struct Size: Decodable {
        var slug: String
        var available: Bool
        var regions: [String]
    }

    struct Region: Decodable {
        var slug: String
        var available: Bool
    }

    struct Account: Decodable {
        var dropletLimit: Int?
        var status: String?
        enum CodingKeys: String, CodingKey { case dropletLimit = "droplet_limit", status }
    }

    /// `{"id", "message", "request_id"}`.
    struct ErrorBody: Decodable {
        var id: String
        var message: String
        var requestID: String?
        enum CodingKeys: String, CodingKey { case id, message, requestID = "request_id" }
    }

    // Answers, one per call.

    struct DropletList: Paged {
        var droplets: [Droplet]
        var links: Links?
        var meta: Meta?
    }

    struct SnapshotList: Paged {
        var snapshots: [Snapshot]
        var links: Links?
        var meta: Meta?
    }

    struct LoadBalancerList: Paged {
        var loadBalancers: [LoadBalancer]
        var links: Links?
        var meta: Meta?
        enum CodingKeys: String, CodingKey { case loadBalancers = "load_balancers", links, meta }
    }

    struct SizeList: Paged {
        var sizes: [Size]
        var links: Links?
        var meta: Meta?
    }

    struct RegionList: Paged {
        var regions: [Region]
        var links: Links?
        var meta: Meta?
    }

    struct LoadBalancerAnswer: Decodable {
        var loadBalancer: LoadBalancer
        enum CodingKeys: String, CodingKey { case loadBalancer = "load_balancer" }
    }

    struct DropletAnswer: Decodable {
        var droplet: Droplet
    }

    /// `POST /v2/droplets` with `names`: 202 `{droplets, links.actions}`.
    struct CreatedDroplets: Decodable {
        var droplets: [Droplet]
        var links: Links?
    }

    struct ActionAnswer: Decodable {
        var action: Action
    }

    struct AccountAnswer: Decodable {
        var account: Account
    }

    /// The empty answer of a 204.
    typealias NoContent = EmptyAnswer
}

/// Request bodies, spelled as the API reference documents them.
extension DigitalOcean {
    /// An image by numeric id (a snapshot) or by slug.
    enum ImageID: Encodable, Hashable {
        case id(Int)
        case slug(String)

        init(_ text: String) { self = Int(text).map(ImageID.id) ?? .slug(text) }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .id(let id): try container.encode(id)
            case .slug(let slug): try container.encode(slug)
            }
        }
    }

    /// `POST /v2/droplets` creating several droplets alike (`names`, at most ten).
    struct CreateDroplets: Encodable {
        var names: [String]
        var region: String
        var size: String
        var image: ImageID
        var sshKeys: [String]?
        var tags: [String]
        var vpcUUID: String?
        var monitoring: Bool
        enum CodingKeys: String, CodingKey {
            case names, region, size, image, tags, monitoring
            case sshKeys = "ssh_keys", vpcUUID = "vpc_uuid"
        }
    }

    /// `POST /v2/droplets/{id}/actions`.
    struct DropletAction: Encodable {
        var type: String
    }

    /// `POST` and `DELETE /v2/load_balancers/{id}/droplets`.
    struct DropletIDs: Encodable {
        var dropletIDs: [Int]
        enum CodingKeys: String, CodingKey { case dropletIDs = "droplet_ids" }
    }

    /// `POST` and `DELETE /v2/tags/{tag}/resources`.
    struct TagResources: Encodable {
        struct Resource: Encodable {
            var resourceID: String
            var resourceType = "droplet"
            enum CodingKeys: String, CodingKey { case resourceID = "resource_id", resourceType = "resource_type" }
        }
        var resources: [Resource]
    }
}

extension DigitalOcean.Droplet {
    /// DigitalOcean's droplet status in the controller's words: `new` is `creating`, `active` running,
    /// `off` off; `archive` (kept by DigitalOcean, not usable) and anything else are `error`.
    static func state(of status: String) -> NodeState {
        switch status {
        case "new": .creating
        case "active": .running
        case "off": .off
        default: .error
        }
    }

    /// The node; its ownership labels are read back from its tags (fleet, role), and the event from its
    /// deterministic name `{fleet}-{role}-{event}-{index}`.
    func node(fleet: String) -> Node {
        var labels: [String: String] = [:]
        let tags = self.tags ?? []
        if tags.contains(DigitalOceanSettings.fleetTag(fleet)) {
            labels[OwnershipLabel.fleet] = fleet
            let prefix = DigitalOceanSettings.roleTag(fleet: fleet, role: "")
            if let role = tags.first(where: { $0.hasPrefix(prefix) && $0.count > prefix.count })?.dropFirst(prefix.count) {
                labels[OwnershipLabel.role] = String(role)
                let namePrefix = "\(fleet)-\(role)-"
                if name.hasPrefix(namePrefix), let last = name.lastIndex(of: "-") {
                    let start = name.index(name.startIndex, offsetBy: namePrefix.count)
                    if start < last { labels[OwnershipLabel.event] = String(name[start..<last]) }
                }
            }
        }
        let addresses = networks?.v4 ?? []
        return Node(
            id: String(id), name: name, state: Self.state(of: status), labels: labels,
            privateIP: addresses.first { $0.type == "private" }?.ipAddress, publicIP: addresses.first { $0.type == "public" }?.ipAddress,
            serverType: sizeSlug, createdAt: createdAt, providerStatus: status, imageID: image?.id.map(String.init),
            location: region?.slug)
    }
}

extension DigitalOcean.Paged {
    var reportedTotal: Int? { meta?.total }
    var nextPage: Int? { links?.pages?.next.flatMap(DigitalOceanAPI.page(of:)) }
}
