import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    static let ledgerColumns = "id, name, role, event, server_type, run_id, provider_id, requested_at, created_at, gone_at, state"

    /// A ledger row and its id.
    typealias LedgerRow = (id: Int64, node: LedgerNode)

    static func ledgerRow(_ row: PostgresRow) throws -> LedgerRow {
        let (id, name, role, event, serverType, runID, providerID, requestedAt, createdAt, goneAt, state) =
            try row.decode((Int64, String, String, String?, String?, Int64?, String?, Date, Date?, Date?, String).self)
        return (id, LedgerNode(
            name: name, role: role, event: event, serverType: serverType, runID: runID, providerID: providerID, requestedAt: requestedAt,
            createdAt: createdAt, goneAt: goneAt, state: LedgerNode.State(rawValue: state) ?? .pending))
    }

    public func ledger() async throws -> [LedgerNode] {
        let fleet = self.fleet
        return try await read { sql in
            try await sql.rows("SELECT \(unescaped: Self.ledgerColumns) FROM ledger_nodes WHERE fleet = \(fleet) ORDER BY id")
                .map { try Self.ledgerRow($0).node }
        }
    }

    public func openLedger() async throws -> [LedgerNode] {
        let fleet = self.fleet
        return try await read { sql in try await Self.openRows(fleet: fleet, sql: sql).map(\.node) }
    }

    public func reconcileLedger(with observed: [Node], at instant: Date) async throws {
        let fleet = self.fleet
        try await write { sql in
            let listed = Dictionary(observed.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            var known = Set<String>()
            for (id, row) in try await Self.openRows(fleet: fleet, sql: sql) {
                known.insert(row.name)
                if let node = listed[row.name] {
                    guard row.state != .created || row.providerID != node.id else { continue }
                    try await Self.update(id, state: .created, providerID: node.id, createdAt: row.createdAt ?? node.createdAt ?? instant, sql: sql)
                } else {
                    try await Self.close(id, row, at: instant, sql: sql)
                }
            }
            for node in observed where !known.contains(node.name) {
                try await Self.apply(.adopted(node: node, at: instant), fleet: fleet, sql: sql)
            }
        }
    }

    static func apply(_ entry: LedgerEntry, fleet: String, sql: SQL) async throws {
        switch entry {
        case .intent(let name, let role, let event, let serverType, let runID, let at):
            if let (id, row) = try await openRow(name, fleet: fleet, sql: sql) {
                // Not created yet: another server type may be tried (a fallback), and that is what bills.
                let type = row.state == .pending ? serverType : row.serverType
                try await sql.run("UPDATE ledger_nodes SET run_id = \(runID), server_type = \(type) WHERE id = \(id)")
            } else {
                try await insert(
                    LedgerNode(
                        name: name, role: role, event: event, serverType: serverType, runID: runID, providerID: nil, requestedAt: at,
                        createdAt: nil, goneAt: nil, state: .pending),
                    fleet: fleet, sql: sql)
            }
        case .created(let name, let providerID, let at):
            guard let (id, row) = try await openRow(name, fleet: fleet, sql: sql) else { return }
            try await update(id, state: .created, providerID: providerID, createdAt: row.createdAt ?? at, sql: sql)
        case .failed(let name, let at):
            guard let (id, row) = try await openRow(name, fleet: fleet, sql: sql), row.state == .pending else { return }
            try await sql.run("UPDATE ledger_nodes SET state = \(LedgerNode.State.failed.rawValue), gone_at = \(at) WHERE id = \(id)")
        case .gone(let name, let at):
            guard let (id, row) = try await openRow(name, fleet: fleet, sql: sql) else { return }
            try await close(id, row, at: at, sql: sql)
        case .adopted(let node, let at):
            try await insert(
                LedgerNode(
                    name: node.name, role: node.role ?? "unlabelled", event: node.event, serverType: node.serverType,
                    runID: node.labels[OwnershipLabel.run].flatMap { Int64($0) }, providerID: node.id, requestedAt: node.createdAt ?? at,
                    createdAt: node.createdAt ?? at, goneAt: nil, state: .created),
                fleet: fleet, sql: sql)
        }
    }

    static func insert(_ node: LedgerNode, fleet: String, sql: SQL) async throws {
        try await sql.run(
            """
            INSERT INTO ledger_nodes (fleet, name, role, event, server_type, run_id, provider_id, requested_at, created_at, gone_at, state)
            VALUES (\(fleet), \(node.name), \(node.role), \(node.event), \(node.serverType), \(node.runID), \(node.providerID),
              \(node.requestedAt), \(node.createdAt), \(node.goneAt), \(node.state.rawValue))
            """)
    }

    private static func update(_ id: Int64, state: LedgerNode.State, providerID: String, createdAt: Date, sql: SQL) async throws {
        try await sql.run(
            "UPDATE ledger_nodes SET state = \(state.rawValue), provider_id = \(providerID), created_at = \(createdAt) WHERE id = \(id)")
    }

    /// A node no longer there: gone, or failed when its create never happened.
    private static func close(_ id: Int64, _ row: LedgerNode, at instant: Date, sql: SQL) async throws {
        let state: LedgerNode.State = row.state == .pending ? .failed : .gone
        try await sql.run("UPDATE ledger_nodes SET state = \(state.rawValue), gone_at = \(instant) WHERE id = \(id)")
    }

    private static func openRows(fleet: String, sql: SQL) async throws -> [LedgerRow] {
        try await sql.rows("SELECT \(unescaped: ledgerColumns) FROM ledger_nodes WHERE fleet = \(fleet) AND gone_at IS NULL ORDER BY id")
            .map(ledgerRow)
    }

    private static func openRow(_ name: String, fleet: String, sql: SQL) async throws -> LedgerRow? {
        try await sql.rows(
            """
            SELECT \(unescaped: ledgerColumns) FROM ledger_nodes WHERE fleet = \(fleet) AND name = \(name) AND gone_at IS NULL
            ORDER BY id DESC LIMIT 1
            """
        ).first.map(ledgerRow)
    }
}
