import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    public func subscribedEvents(source: String) async throws -> [SubscribedEvent] {
        try await read { sql in
            try await sql.rows(
                """
                SELECT e.id, e.name, e.start_at, e.end_at, e.time_zone, e.counts, e.notes, s.uid, s.recurrence_id
                FROM subscribed_events s JOIN events e ON e.id = s.event_id WHERE s.source = \(source) ORDER BY e.id
                """
            ).map { row in
                let (id, name, start, end, zone, counts, notes, uid, recurrenceID) =
                    try row.decode((Int64, String, Date, Date, String, String, String?, String, Int64).self)
                let event = Event(
                    id: id, name: name, start: start, end: end, timeZone: zone, counts: try JSONText.decode([String: Int].self, counts), notes: notes)
                return SubscribedEvent(event: event, source: source, key: FeedKey(uid: uid, recurrenceID: Int(recurrenceID)))
            }
        }
    }

    public func eventSources() async throws -> [Int64: String] {
        try await read { sql in
            Dictionary(
                try await sql.rows("SELECT event_id, source FROM subscribed_events").map { try $0.decode((Int64, String).self) },
                uniquingKeysWith: { a, _ in a })
        }
    }

    public func feedState(source: String) async throws -> FeedState {
        try await read { sql in
            guard let row = try await sql.rows(
                "SELECT etag, last_modified, checked_at, synced_at, problem FROM calendar_sources WHERE source = \(source)"
            ).first else { return FeedState() }
            let (etag, lastModified, checkedAt, syncedAt, problem) = try row.decode((String?, String?, Date?, Date?, String?).self)
            return FeedState(etag: etag, lastModified: lastModified, checkedAt: checkedAt, syncedAt: syncedAt, problem: problem)
        }
    }

    public func saveFeedState(_ state: FeedState, source: String) async throws {
        try await write { sql in try await Self.save(state, source: source, sql: sql) }
    }

    /// Applies one sync of `source` and its new state in one transaction: all or nothing. An added
    /// event whose name and start an event already has is skipped and returned.
    /// - Throws: ``StoreError`` when an event to change or remove is not one this source added.
    @discardableResult
    public func applyFeed(_ changes: FeedChanges, source: String, state: FeedState) async throws -> [NewEvent] {
        let remove = changes.remove
        let update = changes.update.map { (id: $0.0, event: $0.1) }
        let add = changes.add.map { (key: $0.0, event: $0.1) }
        return try await write { sql in
            for id in remove + update.map(\.id) {
                let owner = try await sql.value("SELECT source FROM subscribed_events WHERE event_id = \(id)", as: String.self)
                guard owner == source else {
                    throw StoreError("event #\(id) was not added by \(source); a sync changes only what its feed added")
                }
            }
            for id in remove { try await sql.run("DELETE FROM events WHERE id = \(id)") }
            for (id, new) in update {
                let counts = try JSONText.encode(new.counts)
                try await sql.run(
                    """
                    UPDATE events SET name = \(new.name), start_at = \(new.start), end_at = \(new.end), time_zone = \(new.timeZone),
                      counts = \(counts), notes = \(new.notes)
                    WHERE id = \(id)
                    """)
            }
            var skipped: [NewEvent] = []
            for (key, new) in add {
                if try await Self.exists(new, sql: sql) {
                    skipped.append(new)
                    continue
                }
                let event = try await Self.insert(new, sql: sql)
                try await sql.run(
                    """
                    INSERT INTO subscribed_events (event_id, source, uid, recurrence_id)
                    VALUES (\(event.id), \(source), \(key.uid), \(Int64(key.recurrenceID)))
                    """)
            }
            try await Self.save(state, source: source, sql: sql)
            return skipped
        }
    }

    static func save(_ state: FeedState, source: String, sql: SQL) async throws {
        try await sql.run(
            """
            INSERT INTO calendar_sources (source, etag, last_modified, checked_at, synced_at, problem)
            VALUES (\(source), \(state.etag), \(state.lastModified), \(state.checkedAt), \(state.syncedAt), \(state.problem))
            ON CONFLICT (source) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
              checked_at = excluded.checked_at, synced_at = excluded.synced_at, problem = excluded.problem
            """)
    }
}
