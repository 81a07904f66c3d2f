import Foundation
import GRDB
import ScaleCore

/// The sim's images: taken from a template server, `creating` for ``SimSettings/snapshotTime`` of
/// physics time, then `available` (or `failed`, as the fault knobs ask).
extension SimCloud: SnapshotTaking {
    public func templateServers(_ from: String) async throws -> [Node] {
        try await apiCall("find the template \(from)")
        let selector = from.contains("=") ? SnapshotPolicy.equalityPairs(from) : nil
        if from.contains("="), selector == nil {
            throw error("find the template \(from)", code: "invalid_input", status: 400, message: "\"\(from)\" is not a label selector of key=value pairs")
        }
        let matches: @Sendable (String, [String: String]) -> Bool = { name, labels in
            guard let selector else { return name == from }
            return selector.allSatisfy { labels[$0.key] == $0.value }
        }
        let now = physics.now().timeIntervalSince1970
        var found = settings.templates.sorted { $0.key < $1.key }.filter { matches($0.key, $0.value) }.map {
            Node(id: "template-\($0.key)", name: $0.key, state: .running, labels: $0.value, providerStatus: "running")
        }
        found += try await database.read { db in
            try SimServer.filter(Column("deleteRequestedAt") == nil).order(Column("id")).fetchAll(db)
                .filter { matches($0.name, $0.labels) }.map { $0.node(at: now) }
        }
        return found
    }

    public func takeSnapshot(_ request: SnapshotRequest) async throws -> ImageRecord {
        let operation = "take a snapshot of \(request.server.name)"
        try await apiCall(operation)
        if let code = settings.faults.snapshotRefusal {
            throw error(operation, code: code, status: 422, message: "cannot create an image of \(request.server.name) right now (simulated)")
        }
        let taken = try await database.write { db in
            try Int.fetchOne(db, sql: "INSERT INTO simCounter(key, value) VALUES ('faults:snapshot', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value") ?? 1
        }
        let failing = taken <= settings.faults.snapshotFailures
        let image = SimImage(
            id: nil, name: request.name, labels: request.labels, serverName: request.server.name, createdAt: calendar.now().timeIntervalSince1970,
            readyAt: physics.now().timeIntervalSince1970 + settings.snapshotTime.timeInterval, failed: failing, sizeGB: settings.snapshotSizeGB,
            consistent: request.consistent)
        return try await insert(image)
    }

    private func insert(_ image: SimImage) async throws -> ImageRecord {
        let inserted = try await database.write { db in
            var row = image
            try row.insert(db)
            return row
        }
        return inserted.record(at: physics.now().timeIntervalSince1970)
    }

    public func ownedImages(role: String) async throws -> [ImageRecord] {
        try await apiCall("list the \(role) images")
        let now = physics.now().timeIntervalSince1970
        return try await database.read { db in try SimImage.order(Column("id")).fetchAll(db) }
            .filter { $0.labels[OwnershipLabel.fleet] == fleet && $0.labels[OwnershipLabel.role] == role }
            .map { $0.record(at: now) }
    }

    public func image(id: String) async throws -> ImageRecord? {
        try await apiCall("read the image \(id)")
        let now = physics.now().timeIntervalSince1970
        return try await database.read { db in try SimImage.fetchOne(db, key: Int64(id.dropFirst("sim-image-".count))) }?.record(at: now)
    }

    public func deleteImage(_ image: ImageRecord) async throws {
        try await apiCall("delete the image \(image.id)")
        guard let key = Int64(image.id.dropFirst("sim-image-".count)) else { return }
        let fleet = self.fleet
        let owned = try await database.write { db -> Bool in
            guard let row = try SimImage.fetchOne(db, key: key) else { return true }
            guard row.labels[OwnershipLabel.fleet] == fleet else { return false }
            return try SimImage.deleteOne(db, key: key)
        }
        guard owned else {
            throw error("delete the image \(image.id)", code: "forbidden", status: 403, message: "the image does not carry fleet \(fleet)'s label: refusing (simulated guard)")
        }
    }

    /// The newest available image whose labels match `selector`; nil when images match but none is
    /// available yet; `nil` and not asked when none match (the caller falls back to the built-in daily one).
    func newestTakenImage(selector: String) async throws -> ImageRecord?? {
        guard let pairs = SnapshotPolicy.equalityPairs(selector) else { return .none }
        let now = physics.now().timeIntervalSince1970
        let matching = try await database.read { db in try SimImage.fetchAll(db) }
            .filter { image in pairs.allSatisfy { image.labels[$0.key] == $0.value } }
            .map { $0.record(at: now) }
        guard !matching.isEmpty else { return .none }
        return .some(matching.filter { $0.status == .available }.max { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) })
    }

    /// Every image in the sim, whoever took it (tests and the demo seed unowned ones with ``addImage(_:)``).
    public func addImage(name: String, labels: [String: String], createdAt: Date, status: ImageStatus = .available) async throws -> ImageRecord {
        let image = SimImage(
            id: nil, name: name, labels: labels, serverName: "", createdAt: createdAt.timeIntervalSince1970,
            readyAt: status == .creating ? .infinity : 0, failed: status == .failed, sizeGB: settings.snapshotSizeGB, consistent: false)
        return try await insert(image)
    }

    /// Every image, for tests: whoever owns it.
    public func allImages() async throws -> [ImageRecord] {
        let now = physics.now().timeIntervalSince1970
        return try await database.read { db in try SimImage.order(Column("id")).fetchAll(db) }.map { $0.record(at: now) }
    }
}

struct SimImage: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "simImage"
    var id: Int64?
    var name: String
    var labels: [String: String]
    var serverName: String
    /// On the controller's (calendar) clock, as `max_age` reads it.
    var createdAt: Double
    /// On physics time: from then on it is available (or failed).
    var readyAt: Double
    var failed: Bool
    var sizeGB: Double
    var consistent: Bool

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    func record(at now: Double) -> ImageRecord {
        let status: ImageStatus = now < readyAt ? .creating : (failed ? .failed : .available)
        return ImageRecord(
            id: "sim-image-\(id ?? 0)", name: name, status: status, createdAt: Date(timeIntervalSince1970: createdAt), labels: labels,
            sizeGB: sizeGB, providerStatus: status == .failed ? "error: the image could not be written (simulated)" : status.rawValue)
    }
}
