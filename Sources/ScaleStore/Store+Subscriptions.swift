import Foundation
import GRDB
import ScaleCore

struct SubscribedRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "subscribedEvent"
    var eventID: Int64
    var source: String
    var uid: String
    var recurrenceID: Int
}

struct SourceRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "calendarSource"
    var source: String
    var etag: String?
    var lastModified: String?
    var checkedAt: Date?
    var syncedAt: Date?
    var problem: String?
}

extension Store: FeedStore {
    /// The events `source` added, with their keys.
    public func subscribedEvents(source: String) async throws -> [SubscribedEvent] {
        try await database.read { db in
            try SubscribedRecord.filter(Column("source") == source).fetchAll(db).compactMap { row in
                try EventRecord.fetchOne(db, key: row.eventID).map {
                    SubscribedEvent(event: $0.event, source: row.source, key: FeedKey(uid: row.uid, recurrenceID: row.recurrenceID))
                }
            }
        }
    }

    /// The source of every subscribed event, by event id (events added by hand have none).
    public func eventSources() async throws -> [Int64: String] {
        try await database.read { db in
            Dictionary(try SubscribedRecord.fetchAll(db).map { ($0.eventID, $0.source) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func feedState(source: String) async throws -> FeedState {
        try await database.read { db in
            guard let row = try SourceRecord.fetchOne(db, key: source) else { return FeedState() }
            return FeedState(etag: row.etag, lastModified: row.lastModified, checkedAt: row.checkedAt, syncedAt: row.syncedAt, problem: row.problem)
        }
    }

    public func saveFeedState(_ state: FeedState, source: String) async throws {
        try await database.write { db in
            try SourceRecord(
                source: source, etag: state.etag, lastModified: state.lastModified, checkedAt: state.checkedAt,
                syncedAt: state.syncedAt, problem: state.problem
            ).save(db)
        }
    }

    /// Applies one sync of `source` and its new state in one transaction: all or nothing. An added
    /// event whose name and start an event already has is skipped and returned.
    /// - Throws: ``StoreError`` when an event to change or remove is not one this source added.
    @discardableResult
    public func applyFeed(_ changes: FeedChanges, source: String, state: FeedState) async throws -> [NewEvent] {
        try await database.write { db in
            var skipped: [NewEvent] = []
            for id in changes.remove + changes.update.map(\.0) {
                guard let row = try SubscribedRecord.fetchOne(db, key: id), row.source == source else {
                    throw StoreError("event #\(id) was not added by \(source); a sync changes only what its feed added")
                }
            }
            for id in changes.remove { _ = try EventRecord.deleteOne(db, key: id) }
            for (id, new) in changes.update {
                guard var record = try EventRecord.fetchOne(db, key: id) else { continue }
                record.name = new.name
                record.start = new.start
                record.end = new.end
                record.timeZone = new.timeZone
                record.counts = new.counts
                record.notes = new.notes
                try record.update(db)
            }
            for (key, new) in changes.add {
                if try EventRecord.filter(Column("name") == new.name && Column("start") == new.start).fetchCount(db) > 0 {
                    skipped.append(new)
                    continue
                }
                var record = EventRecord(
                    id: nil, name: new.name, start: new.start, end: new.end, timeZone: new.timeZone, counts: new.counts,
                    notes: new.notes, createdAt: Date())
                try record.insert(db)
                guard let id = record.id else { continue }
                try SubscribedRecord(eventID: id, source: source, uid: key.uid, recurrenceID: key.recurrenceID).insert(db)
            }
            try SourceRecord(
                source: source, etag: state.etag, lastModified: state.lastModified, checkedAt: state.checkedAt,
                syncedAt: state.syncedAt, problem: state.problem
            ).save(db)
            return skipped
        }
    }
}
