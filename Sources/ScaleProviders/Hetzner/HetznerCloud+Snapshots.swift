import Foundation
import ScaleCore

// The daily snapshots on Hetzner Cloud (https://docs.hetzner.cloud/, pages Server Actions and Images):
// `POST /servers/{id}/actions/create_image` of type `snapshot` with the fleet's labels, read back with
// `GET /images` and `GET /images/{id}` (status `creating`, `available` or `unavailable`), deleted with
// `DELETE /images/{id}`. With `consistent = "shutdown"` the template is shut down gracefully first, and
// powered on again (`POST /servers/{id}/actions/poweron`) once its image action is over.
extension HetznerCloud: SnapshotTaking {
    public func templateServers(_ from: String) async throws -> [Node] {
        let operation = "find the template \(from)"
        let servers = from.contains("=")
            ? try await Self.listServers(from, api: api, operation: operation)
            : try await servers(named: from, operation: operation)
        return servers.map { $0.node(network: settings.network) }
    }

    /// Without `consistent` this returns the image as created (`creating`). With it, the template is
    /// shut down, imaged, and powered on again whatever became of the image (unless it was off to begin
    /// with); the image is returned as read after its action, so a failed one reads `failed`.
    public func takeSnapshot(_ request: SnapshotRequest) async throws -> ImageRecord {
        let template = request.server
        let operation = "take a snapshot of \(template.name)"
        guard let id = Int(template.id) else {
            throw HetznerFailure.malformed(operation, "template server id \(template.id) is not a Hetzner server id", requestID: nil)
        }
        let body = Hetzner.CreateImage(type: "snapshot", description: request.name, labels: request.labels)
        guard request.consistent else {
            let answer = try await api.post("/servers/\(id)/actions/create_image", body: body, as: Hetzner.CreatedImage.self, operation: operation)
            return answer.image.record
        }
        let wasOn = template.state != .off
        try await shutDownServer(id, name: template.name) { timeout in try await waitUntilOff(id, timeout: timeout, operation: operation) }
        var created: Hetzner.CreatedImage?
        var failure: (any Error)?
        do {
            let answer = try await api.post("/servers/\(id)/actions/create_image", body: body, as: Hetzner.CreatedImage.self, operation: operation)
            created = answer
            try await finish([answer.action], operation: operation)
        } catch let error as ProviderError where created != nil && error.code != "action_timeout" {
            // The image says how it ended (`unavailable`); the template is powered on all the same.
            logger.info("Image action failed", metadata: ["server.id": "\(id)", "error": "\(error)"])
        } catch {
            failure = error
        }
        if wasOn {
            let started = try await api.post("/servers/\(id)/actions/poweron", as: Hetzner.ActionAnswer.self, operation: "power on \(template.name)")
            try await finish([started.action], operation: "power on \(template.name)")
        }
        if let failure { throw failure }
        guard let created else { throw HetznerFailure.malformed(operation, "create_image gave no image", requestID: nil) }
        return try await image(id: String(created.image.id)) ?? created.image.record
    }

    public func ownedImages(role: String) async throws -> [ImageRecord] {
        let selector = "\(Self.fleetSelector(fleet)),\(OwnershipLabel.role)=\(role)"
        return try await api.all(
            "/images", query: [("type", "snapshot"), ("label_selector", selector)], page: Hetzner.ImageList.self,
            operation: "list the \(role) images", items: \.images)
            .filter { $0.labels?[OwnershipLabel.fleet] == fleet && $0.labels?[OwnershipLabel.role] == role }
            .map(\.record)
    }

    public func image(id: String) async throws -> ImageRecord? {
        let operation = "read the image \(id)"
        guard let number = Int(id) else { return nil }
        do {
            return try await api.get("/images/\(number)", as: Hetzner.ImageAnswer.self, operation: operation).image.record
        } catch let error as ProviderError where error.status == 404 {
            return nil
        }
    }

    /// Reads the image again and refuses one without this fleet's label, then deletes it; 404 is gone.
    public func deleteImage(_ image: ImageRecord) async throws {
        let operation = "delete the image \(image.id)"
        guard let current = try await self.image(id: image.id) else { return }
        guard current.labels[OwnershipLabel.fleet] == fleet else {
            throw ProviderError(
                provider: name, operation: operation, code: "not_owned",
                message: "image \(image.id) does not carry the label \(OwnershipLabel.fleet)=\(fleet): not deleting it",
                hint: "the controller never deletes images it did not take")
        }
        do {
            _ = try await api.delete("/images/\(image.id)", as: Hetzner.NoContent.self, operation: operation)
        } catch let error as ProviderError where error.status == 404 {
            return
        }
    }

    /// Polls `GET /servers/{id}` until the server is `off` (or gone); ``ShutdownTimedOut`` after `timeout`.
    private func waitUntilOff(_ id: Int, timeout: Duration, operation: String) async throws {
        let clock = api.clock
        let deadline = clock.now() + timeout
        while let status = try await serverStatus(id, operation: operation), status != "off" {
            guard clock.now() < deadline else { throw ShutdownTimedOut() }
            try await clock.sleep(for: min(settings.actionPollInterval, deadline.since(clock.now())))
        }
    }
}

extension Hetzner {
    /// `POST /servers/{id}/actions/create_image`.
    struct CreateImage: Encodable {
        var type: String
        var description: String
        var labels: [String: String]
    }

    struct CreatedImage: Decodable {
        var image: Image
        var action: Action
    }

    struct ImageAnswer: Decodable {
        var image: Image
    }

    /// The empty answer of `DELETE /images/{id}` (204).
    typealias NoContent = EmptyAnswer
}

extension Hetzner.Image {
    /// `unavailable` (the image could not be made) is failed; an unknown status is failed too, never chosen.
    var record: ImageRecord {
        let mapped: ImageStatus = switch status {
        case "available": .available
        case "creating": .creating
        default: .failed
        }
        return ImageRecord(
            id: String(id), name: description ?? name ?? "snapshot \(id)", status: mapped, createdAt: created, labels: labels ?? [:],
            sizeGB: imageSize, providerStatus: status)
    }
}
