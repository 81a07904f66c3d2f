import Foundation
import GRDB
import ScaleCore

struct EventRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "event"
    var id: Int64?
    var name: String
    var start: Date
    var end: Date
    var timeZone: String
    var counts: [String: Int]
    var notes: String?
    var createdAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var event: Event {
        Event(id: id ?? 0, name: name, start: start, end: end, timeZone: timeZone, counts: counts, notes: notes)
    }
}

extension Store {
    /// Adds an event.
    /// - Throws: ``StoreError`` when an event with the same name and start exists.
    public func addEvent(_ new: NewEvent) async throws -> Event {
        try await write { [self] db in try insert(new, db: db) }
    }

    /// Adds every event that is not there yet (same name and start) in one transaction: all or nothing.
    public func importEvents(_ list: [NewEvent]) async throws -> (added: [Event], skipped: [NewEvent]) {
        try await write { [self] db in
            var added: [Event] = []
            var skipped: [NewEvent] = []
            for new in list {
                if try EventRecord.filter(Column("name") == new.name && Column("start") == new.start).fetchCount(db) > 0 {
                    skipped.append(new)
                } else {
                    added.append(try insert(new, db: db))
                }
            }
            return (added, skipped)
        }
    }

    /// Changes whenever an event or an override of this fleet is added, removed or cleared: a cheap
    /// way for a long-running process to notice what other processes did.
    public func calendarFingerprint() async throws -> String {
        try await database.read { db in
            let events = try Row.fetchOne(db, sql: "SELECT count(*), max(id), total(julianday(start)), total(julianday(\"end\")) FROM event")
            let overrides = try Row.fetchOne(
                db, sql: "SELECT count(*), max(id), count(clearedAt) FROM override WHERE fleet = ?", arguments: [fleet])
            return [events, overrides].map { row in row.map { "\($0)" } ?? "" }.joined(separator: "|")
        }
    }

    /// Every event, earliest first.
    public func events() async throws -> [Event] {
        try await database.read { db in try EventRecord.order(Column("start"), Column("id")).fetchAll(db).map(\.event) }
    }

    /// Events that end after `instant`, earliest first.
    public func events(endingAfter instant: Date) async throws -> [Event] {
        try await database.read { db in
            try EventRecord.filter(Column("end") > instant).order(Column("start"), Column("id")).fetchAll(db).map(\.event)
        }
    }

    public func event(id: Int64) async throws -> Event? {
        try await database.read { db in try EventRecord.fetchOne(db, key: id)?.event }
    }

    /// Removes an event and returns it.
    /// - Throws: ``StoreError`` when there is no event with that id.
    public func removeEvent(id: Int64) async throws -> Event {
        try await write { [self] db in
            guard let record = try EventRecord.fetchOne(db, key: id) else {
                throw StoreError("there is no event #\(id); `scalectl calendar list` shows the ids")
            }
            try record.delete(db)
            return record.event
        }
    }

    private func insert(_ new: NewEvent, db: Database) throws -> Event {
        guard new.end > new.start else { throw StoreError("event \"\(new.name)\" ends before it starts") }
        if try EventRecord.filter(Column("name") == new.name && Column("start") == new.start).fetchCount(db) > 0 {
            throw StoreError("an event named \"\(new.name)\" starting at \(TimeText.iso(new.start)) already exists")
        }
        var record = EventRecord(
            id: nil, name: new.name, start: new.start, end: new.end, timeZone: new.timeZone, counts: new.counts,
            notes: new.notes, createdAt: Date()
        )
        try record.insert(db)
        return record.event
    }
}
