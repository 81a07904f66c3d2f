import Foundation
import Logging

/// What taking one role's snapshot came to.
public struct SnapshotOutcome: Sendable, Hashable {
    public var role: String
    /// The template server, as found.
    public var template: String
    /// The image taken (or today's, found already there), as last seen.
    public var image: ImageRecord?
    /// Whether today's image was found already there instead of taken.
    public var reused: Bool = false
    public var deleted: [ImageRecord] = []
    public var failure: StepFailure?

    public init(role: String, template: String) {
        self.role = role
        self.template = template
    }
}

/// Takes one role's daily snapshot from its template, waits until it is available (with a deadline),
/// then prunes the fleet's own snapshots of the role beyond `keep`; every step journaled.
struct SnapshotJob: Sendable {
    var fleet: FleetSettings
    var taker: any SnapshotTaking
    var provider: any CloudProvider
    var calls: ProviderCalls
    var journal: any Journal
    var clock: any ScaleClock
    var pollInterval: Duration
    var runID: Int64
    var logger: Logger

    func run(_ role: RoleSettings, template: SnapshotTemplate) async -> SnapshotOutcome {
        var outcome = SnapshotOutcome(role: role.name, template: template.from)
        do {
            let server = try await step(role.name, "snapshot-template", target: template.from, "find the template \(template.from)") {
                try await findTemplate(role.name, template)
            }
            let image = try await take(role, template: template, server: server, outcome: &outcome)
            outcome.image = try await step(role.name, "snapshot-await", target: image.id, "wait until \(image.summary) is available") {
                try await awaitAvailable(image, role: role.name, template: template)
            }
            outcome.deleted = try await step(role.name, "snapshot-prune", target: nil, "keep \(template.keep) of \(fleet.fleet)'s \(role.name) snapshots") {
                try await prune(role.name, keep: template.keep)
            }
        } catch let failure as StepFailure {
            outcome.failure = failure
        } catch {
            outcome.failure = StepFailure(
                role: role.name, step: "snapshot", summary: "taking the \(role.name) snapshot from \(template.from) failed: \(error)",
                providerError: error as? ProviderError, action: "the previous snapshot stays in use")
        }
        return outcome
    }

    /// The one server `from` names.
    private func findTemplate(_ role: String, _ template: SnapshotTemplate) async throws -> Node {
        let found = try await calls.call("snapshot", "find the template \(template.from)") { try await taker.templateServers(template.from) }
        guard found.count == 1, let server = found.first else {
            let names = found.map(\.name).sorted().joined(separator: ", ")
            throw StepFailure(
                role: role, step: "snapshot-template",
                summary: found.isEmpty
                    ? "no server matches the \(role) template \"\(template.from)\""
                    : "the \(role) template \"\(template.from)\" matches \(found.count) servers (\(names)), not exactly one",
                nodes: found, action: "took no \(role) snapshot; the previous one stays in use. Fix snapshot.from of role \(role)")
        }
        return server
    }

    /// Today's image of the role: found already there (creating or available), or taken now. Each
    /// attempt looks before it creates, so a retried create whose answer was lost takes no second image.
    private func take(_ role: RoleSettings, template: SnapshotTemplate, server: Node, outcome: inout SnapshotOutcome) async throws -> ImageRecord {
        let now = clock.now()
        let (name, labels) = SnapshotPolicy.naming(fleet: fleet.fleet, role: role.name, at: now, zone: fleet.timeZone, selector: role.snapshot.selector)
        let day = labels[SnapshotLabel.date]
        let request = SnapshotRequest(server: server, name: name, labels: labels, consistent: template.consistent)
        let taker = self.taker
        let roleName = role.name
        let fleetName = fleet.fleet
        let existing = try await calls.call("snapshot", "look for today's \(roleName) snapshot") {
            try await taker.ownedImages(role: roleName).first { $0.labels[SnapshotLabel.date] == day && $0.labels[OwnershipLabel.fleet] == fleetName && $0.status != .failed }
        }
        if let existing {
            outcome.reused = true
            try await journal.note(runID, role: role.name, kind: "snapshot-create", target: existing.id, detail: "today's \(existing.summary) is there already", at: now)
            return existing
        }
        return try await step(role.name, "snapshot-create", target: server.name, "image \(server.name) as \(request.name)") {
            try await calls.call("snapshot", "take a snapshot of \(server.name)") {
                if let lost = try await taker.ownedImages(role: roleName).first(where: { $0.name == request.name && $0.status != .failed }) { return lost }
                return try await taker.takeSnapshot(request)
            }
        }
    }

    /// Polls the image until it is available; failed or past the deadline is a ``StepFailure``.
    private func awaitAvailable(_ image: ImageRecord, role: String, template: SnapshotTemplate) async throws -> ImageRecord {
        let deadline = clock.now() + template.within
        var current = image
        var interval = pollInterval
        while current.status == .creating {
            guard clock.now() < deadline else {
                throw StepFailure(
                    role: role, step: "snapshot-await",
                    summary: "the \(role) snapshot \(current.summary) of \(template.from) was not available within \(DurationText.format(template.within))",
                    action: "left it to finish (it is not used while creating); the previous snapshot stays in use")
            }
            try await clock.sleep(for: min(interval, deadline.since(clock.now())))
            interval = min(interval * 2, .seconds(60))
            let taker = self.taker
            let id = image.id
            guard let seen = try await calls.call("snapshot", "read the snapshot \(id)", { try await taker.image(id: id) }) else {
                throw StepFailure(
                    role: role, step: "snapshot-await", summary: "the \(role) snapshot \(image.summary) of \(template.from) disappeared while being created",
                    action: "the previous snapshot stays in use")
            }
            current = seen
        }
        guard current.status == .available else {
            throw StepFailure(
                role: role, step: "snapshot-await", summary: "the \(role) snapshot \(current.summary) of \(template.from) failed",
                details: current.providerStatus.map { ["the provider says: \($0)"] } ?? [],
                action: "the previous snapshot stays in use; it is deleted at the next prune")
        }
        return current
    }

    /// Deletes the fleet's own images of the role beyond `keep` (see ``SnapshotPolicy/prunable(_:keep:fleet:inUse:)``).
    private func prune(_ role: String, keep: Int) async throws -> [ImageRecord] {
        let taker = self.taker
        let provider = self.provider
        let images = try await calls.call("snapshot", "list the \(role) snapshots") { try await taker.ownedImages(role: role) }
        let nodes = try await calls.call("list", "list nodes") { try await provider.listNodes() }
        let inUse = Set(nodes.compactMap(\.imageID))
        var deleted: [ImageRecord] = []
        for image in SnapshotPolicy.prunable(images, keep: keep, fleet: fleet.fleet, inUse: inUse) {
            try await step(role, "snapshot-delete", target: image.id, "delete \(image.summary)") {
                try await calls.call("snapshot", "delete the snapshot \(image.id)") { try await taker.deleteImage(image) }
            }
            deleted.append(image)
        }
        return deleted
    }

    /// Journals a step around `body`: begun before, ended after with its outcome.
    @discardableResult
    private func step<T>(_ role: String, _ kind: String, target: String?, _ detail: String, _ body: () async throws -> T) async throws -> T {
        let id = try await journal.begin(StepEntry(runID: runID, role: role, kind: kind, target: target, detail: detail), at: clock.now())
        do {
            let value = try await body()
            try await journal.end(id, outcome: .ok, error: nil, at: clock.now())
            return value
        } catch {
            try? await journal.end(id, outcome: error is CancellationError ? .interrupted : .failed, error: "\(error)", at: clock.now())
            throw error
        }
    }
}

extension Journal {
    /// A step that is over as soon as it begins.
    func note(_ runID: Int64, role: String, kind: String, target: String?, detail: String, at now: Date) async throws {
        let id = try await begin(StepEntry(runID: runID, role: role, kind: kind, target: target, detail: detail), at: now)
        try await end(id, outcome: .ok, error: nil, at: now)
    }
}
