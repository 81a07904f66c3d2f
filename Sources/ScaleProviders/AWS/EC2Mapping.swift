import Foundation
import ScaleCore

/// Reads EC2's answers into the controller's values: instances into ``Node``s, images into
/// ``Snapshot``s, and label selectors into EC2 filters.
enum EC2Mapping {
    /// Every state but `terminated`: what "exists and may bill" means on EC2.
    static let liveStates = ["pending", "running", "stopping", "stopped", "shutting-down"]

    /// EC2's instance state → ours. `stopping` is a stop on its way to `stopped` (`off`);
    /// `shutting-down` only happens on the way to `terminated`, so it is `deleting`.
    static func state(_ name: String) -> NodeState {
        switch name {
        case "pending": .creating
        case "running": .running
        case "stopping": .stopping
        case "stopped": .off
        case "shutting-down", "terminated": .deleting
        default: .error
        }
    }

    /// An instance (`<item>` of `instancesSet`) as a node; its `Name` tag is the name, the other tags
    /// are its labels.
    static func node(_ item: XMLTree) -> Node? {
        guard let id = item.value("instanceId") else { return nil }
        var tags = self.tags(item)
        let name = tags.removeValue(forKey: "Name") ?? id
        let status = item.value("instanceState", "name") ?? "unknown"
        return Node(
            id: id, name: name, state: state(status), labels: tags, privateIP: item.value("privateIpAddress"),
            publicIP: item.value("ipAddress"), serverType: item.value("instanceType"),
            createdAt: item.value("launchTime").flatMap(date), providerStatus: status, imageID: item.value("imageId"),
            location: item.value("placement", "availabilityZone"))
    }

    /// The instances of a `DescribeInstances` answer, across its reservations.
    static func instances(_ answer: XMLTree) -> [Node] {
        answer.list("reservationSet").flatMap { $0.list("instancesSet") }.compactMap(node)
    }

    static func tags(_ item: XMLTree) -> [String: String] {
        var tags: [String: String] = [:]
        for tag in item.list("tagSet") {
            guard let key = tag.value("key") else { continue }
            tags[key] = tag.value("value") ?? ""
        }
        return tags
    }

    /// The newest available image of a `DescribeImages` answer by `creationDate`.
    static func newestImage(_ answer: XMLTree) -> Snapshot? {
        answer.list("imagesSet")
            .filter { ($0.value("imageState") ?? "available") == "available" }
            .compactMap { item -> Snapshot? in
                guard let id = item.value("imageId"), let created = item.value("creationDate").flatMap(date) else { return nil }
                return Snapshot(id: id, name: item.value("name") ?? id, createdAt: created)
            }
            .max { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// `role=frontal,tier=web` → tag filters `tag:role` = `frontal`, `tag:tier` = `web`.
    /// - Throws: a ``ProviderError`` for anything but `key=value` pairs, which is all EC2 filters can say.
    static func tagFilters(_ selector: String, operation: String) throws -> [(name: String, values: [String])] {
        try selector.split(separator: ",").map { part in
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, !pair[0].contains("!"), !pair[1].isEmpty, !pair[1].hasPrefix("=") else {
                throw ProviderError(
                    provider: "aws", operation: operation, code: "bad_selector",
                    message: "the snapshot selector \"\(selector)\" has \"\(part)\", which is not key=value",
                    hint: "on AWS write the role's snapshot labels as key=value pairs separated by commas, such as \"role=frontal\"")
            }
            return (name: "tag:\(pair[0])", values: [pair[1]])
        }
    }

    /// `2026-11-23T14:00:00.000Z`, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: .iso8601)
    }
}
