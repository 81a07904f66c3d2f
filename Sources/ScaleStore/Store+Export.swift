import Foundation
import GRDB
import ScaleCore

extension Store: StateCounting {
    /// Everything the file holds, every fleet, with ids, in one read: what `migrate-state` carries.
    public func exportState() async throws -> StateSnapshot {
        try await database.read { db in
            var snapshot = StateSnapshot()
            snapshot.events = try EventRecord.order(Column("id")).fetchAll(db).map { ($0.event, $0.createdAt) }
            snapshot.subscriptions = try SubscribedRecord.order(Column("eventID")).fetchAll(db).map {
                ($0.eventID, $0.source, FeedKey(uid: $0.uid, recurrenceID: $0.recurrenceID))
            }
            snapshot.feeds = try SourceRecord.order(Column("source")).fetchAll(db).map {
                ($0.source, FeedState(etag: $0.etag, lastModified: $0.lastModified, checkedAt: $0.checkedAt, syncedAt: $0.syncedAt, problem: $0.problem))
            }
            snapshot.overrides = try OverrideRecord.order(Column("id")).fetchAll(db).map { ($0.fleet, $0.override, $0.clearedAt) }
            snapshot.runs = try RunRecord.order(Column("id")).fetchAll(db).map { ($0.fleet, $0.info) }
            snapshot.steps = try StepRecord.order(Column("id")).fetchAll(db).map { ($0.runId, $0.info) }
            snapshot.ledger = try LedgerRecord.order(Column("id")).fetchAll(db).map { ($0.fleet, $0.node) }
            snapshot.alerts = try AlertRecord.order(Column("id")).fetchAll(db).map { ($0.fleet, $0.entry) }
            return snapshot
        }
    }

    /// Every fleet's run lock whose holder is alive, seen from this host: a move waits until no run goes on.
    public func liveLocks() async throws -> [(fleet: String, holder: LockHolder)] {
        let host = ProcessInfo.processInfo.hostName
        let now = Date()
        return try await database.read { db in
            try LockRecord.fetchAll(db).filter { !$0.holder.isStale(seenFrom: host, now: now) }.map { ($0.fleet, $0.holder) }
        }
    }

    public func stateCounts() async throws -> [String: Int] {
        try await database.read { db in
            var counts: [String: Int] = [:]
            for (name, table) in Self.countedTables { counts[name] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
            return counts
        }
    }

    private static let countedTables = [
        ("events", "event"), ("subscriptions", "subscribedEvent"), ("calendar sources", "calendarSource"), ("overrides", "override"),
        ("runs", "run"), ("steps", "step"), ("ledger", "ledgerNode"), ("alerts", "alert"),
    ]
}
