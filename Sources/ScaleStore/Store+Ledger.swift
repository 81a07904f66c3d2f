import Foundation
import GRDB
import ScaleCore

struct LedgerRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "ledgerNode"
    var id: Int64?
    var fleet: String
    var name: String
    var role: String
    var event: String?
    var serverType: String?
    var runID: Int64?
    var providerID: String?
    var requestedAt: Date
    var createdAt: Date?
    var goneAt: Date?
    var state: String

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var node: LedgerNode {
        LedgerNode(
            name: name, role: role, event: event, serverType: serverType, runID: runID, providerID: providerID,
            requestedAt: requestedAt, createdAt: createdAt, goneAt: goneAt, state: LedgerNode.State(rawValue: state) ?? .pending)
    }
}

extension Store {
    /// Every ledger row, oldest first.
    public func ledger() async throws -> [LedgerNode] {
        try await database.read { db in
            try LedgerRecord.filter(Column("fleet") == fleet).order(Column("id")).fetchAll(db).map(\.node)
        }
    }

    /// Ledger rows not known to be gone: what may still exist (and bill).
    public func openLedger() async throws -> [LedgerNode] {
        try await database.read { db in try openRows(db).map(\.node) }
    }

    /// Brings the ledger in line with what the provider lists: unknown owned nodes are adopted, nodes no
    /// longer listed are closed. Call it only while holding the run lock, or with no run going.
    public func reconcileLedger(with observed: [Node], at instant: Date) async throws {
        try await write { [self] db in
            let listed = Dictionary(observed.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            var known = Set<String>()
            for var row in try openRows(db) {
                known.insert(row.name)
                if let node = listed[row.name] {
                    if row.state != LedgerNode.State.created.rawValue || row.providerID != node.id {
                        row.state = LedgerNode.State.created.rawValue
                        row.providerID = node.id
                        row.createdAt = row.createdAt ?? node.createdAt ?? instant
                        try row.update(db)
                    }
                } else {
                    row.state = row.state == LedgerNode.State.pending.rawValue ? LedgerNode.State.failed.rawValue : LedgerNode.State.gone.rawValue
                    row.goneAt = instant
                    try row.update(db)
                }
            }
            for node in observed where !known.contains(node.name) {
                try apply(.adopted(node: node, at: instant), db: db)
            }
        }
    }

    func apply(_ entry: LedgerEntry, db: Database) throws {
        switch entry {
        case .intent(let name, let role, let event, let serverType, let runID, let at):
            if var row = try openRow(name, db) {
                row.runID = runID
                // Not created yet: another server type may be tried (a fallback), and that is what bills.
                if row.state == LedgerNode.State.pending.rawValue { row.serverType = serverType }
                try row.update(db)
            } else {
                var row = LedgerRecord(
                    id: nil, fleet: fleet, name: name, role: role, event: event, serverType: serverType, runID: runID,
                    providerID: nil, requestedAt: at, createdAt: nil, goneAt: nil, state: LedgerNode.State.pending.rawValue)
                try row.insert(db)
            }
        case .created(let name, let id, let at):
            guard var row = try openRow(name, db) else { return }
            row.providerID = id
            row.createdAt = row.createdAt ?? at
            row.state = LedgerNode.State.created.rawValue
            try row.update(db)
        case .failed(let name, let at):
            guard var row = try openRow(name, db), row.state == LedgerNode.State.pending.rawValue else { return }
            row.state = LedgerNode.State.failed.rawValue
            row.goneAt = at
            try row.update(db)
        case .gone(let name, let at):
            guard var row = try openRow(name, db) else { return }
            row.state = row.state == LedgerNode.State.pending.rawValue ? LedgerNode.State.failed.rawValue : LedgerNode.State.gone.rawValue
            row.goneAt = at
            try row.update(db)
        case .adopted(let node, let at):
            var row = LedgerRecord(
                id: nil, fleet: fleet, name: node.name, role: node.role ?? "unlabelled", event: node.event,
                serverType: node.serverType, runID: node.labels[OwnershipLabel.run].flatMap { Int64($0) },
                providerID: node.id, requestedAt: node.createdAt ?? at, createdAt: node.createdAt ?? at, goneAt: nil,
                state: LedgerNode.State.created.rawValue)
            try row.insert(db)
        }
    }

    private func openRows(_ db: Database) throws -> [LedgerRecord] {
        try LedgerRecord.filter(Column("fleet") == fleet && Column("goneAt") == nil).order(Column("id")).fetchAll(db)
    }

    private func openRow(_ name: String, _ db: Database) throws -> LedgerRecord? {
        try LedgerRecord.filter(Column("fleet") == fleet && Column("name") == name && Column("goneAt") == nil)
            .order(Column("id").desc).fetchOne(db)
    }
}
