import Foundation
import ScaleCore

// The daily snapshots on EC2: an AMI per day (`CreateImage`), tagged through `TagSpecification`, its EBS
// snapshots through `CreateTags`; pruning deregisters the AMI and deletes its EBS snapshots, which
// otherwise keep billing. API reference: CreateImage, DescribeImages, DeregisterImage, DeleteSnapshot
// (docs.aws.amazon.com/AWSEC2/latest/APIReference/).
extension AWSCloud: SnapshotTaking {
    public func templateServers(_ from: String) async throws -> [Node] {
        let operation = "find the template \(from)"
        let filters = from.contains("=") ? try EC2Mapping.tagFilters(from, operation: operation) : [(name: "tag:Name", values: [from])]
        return try await describeInstances(filters: filters + [(name: "instance-state-name", values: EC2Mapping.liveStates)], operation: operation)
    }

    public func takeSnapshot(_ request: SnapshotRequest) async throws -> ImageRecord {
        let operation = "take an image of \(request.server.name)"
        var parameters: [(String, String)] = [
            ("InstanceId", request.server.id), ("Name", request.name), ("Description", "scalectl daily snapshot of \(request.server.name)"),
            ("NoReboot", request.consistent ? "false" : "true"),
        ]
        let tags = request.labels.sorted { $0.key < $1.key }
        parameters.append(("TagSpecification.1.ResourceType", "image"))
        for (index, tag) in tags.enumerated() {
            parameters += [("TagSpecification.1.Tag.\(index + 1).Key", tag.key), ("TagSpecification.1.Tag.\(index + 1).Value", tag.value)]
        }
        let answer = try await client.call(.ec2, "CreateImage", parameters, operation: operation)
        guard let id = answer.value("imageId") else {
            throw ProviderError(provider: name, operation: operation, code: "bad_answer", message: "CreateImage answered without an imageId", requestID: answer.value("requestId"))
        }
        await tagSnapshots(of: id, tags: tags)
        return ImageRecord(id: id, name: request.name, status: .creating, createdAt: Date(), labels: request.labels, providerStatus: "pending")
    }

    public func ownedImages(role: String) async throws -> [ImageRecord] {
        try await describeImages(
            .list("Owner", ["self"]) + .filters([(name: "tag:\(OwnershipLabel.fleet)", values: [fleet]), (name: "tag:\(OwnershipLabel.role)", values: [role])]),
            operation: "list the \(role) images")
    }

    public func image(id: String) async throws -> ImageRecord? {
        try await describeImages(.list("Owner", ["self"]) + .list("ImageId", [id]), operation: "read the image \(id)").first
    }

    public func deleteImage(_ image: ImageRecord) async throws {
        let operation = "delete the image \(image.id)"
        let answer: XMLTree
        do {
            answer = try await client.call(.ec2, "DescribeImages", .list("Owner", ["self"]) + .list("ImageId", [image.id]), operation: operation)
        } catch let error as ProviderError where error.code.hasPrefix("InvalidAMIID") {
            return
        }
        guard let item = answer.list("imagesSet").first else { return }
        guard EC2Mapping.tags(item)[OwnershipLabel.fleet] == fleet else {
            throw ProviderError(provider: name, operation: operation, code: "not_owned", message: "image \(image.id) does not carry fleet \(fleet)'s tag: not deleting it")
        }
        let snapshots = item.list("blockDeviceMapping").compactMap { $0.value("ebs", "snapshotId") }
        _ = try await client.call(.ec2, "DeregisterImage", [("ImageId", image.id)], operation: operation)
        for snapshot in snapshots {
            do {
                _ = try await client.call(.ec2, "DeleteSnapshot", [("SnapshotId", snapshot)], operation: "delete the EBS snapshot \(snapshot) of \(image.id)")
            } catch let error as ProviderError where error.code == "InvalidSnapshot.NotFound" {
                continue
            }
        }
    }

    /// Tags the AMI's EBS snapshots with `CreateTags` (moto does not implement `TagSpecification` of type
    /// `snapshot` in `CreateImage`). Best effort: pruning finds the snapshots through the AMI, not the tags.
    private func tagSnapshots(of image: String, tags: [(key: String, value: String)]) async {
        do {
            let answer = try await client.call(.ec2, "DescribeImages", .list("ImageId", [image]), operation: "read the image \(image)")
            let snapshots = answer.list("imagesSet").flatMap { $0.list("blockDeviceMapping") }.compactMap { $0.value("ebs", "snapshotId") }
            guard !snapshots.isEmpty else { return }
            var parameters: [(String, String)] = .list("ResourceId", snapshots)
            for (index, tag) in tags.enumerated() { parameters += [("Tag.\(index + 1).Key", tag.key), ("Tag.\(index + 1).Value", tag.value)] }
            _ = try await client.call(.ec2, "CreateTags", parameters, operation: "tag the EBS snapshots of \(image)")
        } catch {
            logger.info("EBS snapshots not tagged", metadata: ["aws.image": "\(image)", "error": "\(error)"])
        }
    }

    private func describeImages(_ parameters: [(String, String)], operation: String) async throws -> [ImageRecord] {
        let answer = try await client.call(.ec2, "DescribeImages", parameters, operation: operation)
        return answer.list("imagesSet").compactMap(EC2Mapping.imageRecord)
    }
}

extension EC2Mapping {
    /// An image (`<item>` of `imagesSet`): `pending` is creating; `failed`, `error`, `invalid` failed.
    static func imageRecord(_ item: XMLTree) -> ImageRecord? {
        guard let id = item.value("imageId"), let created = item.value("creationDate").flatMap(date) else { return nil }
        let state = item.value("imageState") ?? "available"
        let status: ImageStatus = switch state {
        case "available": .available
        case "pending": .creating
        default: .failed
        }
        let sizes = item.list("blockDeviceMapping").compactMap { $0.value("ebs", "volumeSize").flatMap(Double.init) }
        var said = state
        if let reason = item.value("stateReason", "message") { said += ": \(reason)" }
        return ImageRecord(
            id: id, name: item.value("name") ?? id, status: status, createdAt: created, labels: tags(item),
            sizeGB: sizes.isEmpty ? nil : sizes.reduce(0, +), providerStatus: said)
    }
}
