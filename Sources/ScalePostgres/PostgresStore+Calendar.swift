import Foundation
import PostgresNIO
import ScaleCore

extension PostgresStore {
    static let eventColumns = "id, name, start_at, end_at, time_zone, counts, notes"

    static func event(_ row: PostgresRow) throws -> Event {
        let (id, name, start, end, zone, counts, notes) = try row.decode((Int64, String, Date, Date, String, String, String?).self)
        return Event(id: id, name: name, start: start, end: end, timeZone: zone, counts: try JSONText.decode([String: Int].self, counts), notes: notes)
    }

    public func addEvent(_ new: NewEvent) async throws -> Event {
        try await write { sql in try await Self.insert(new, sql: sql) }
    }

    public func importEvents(_ list: [NewEvent]) async throws -> (added: [Event], skipped: [NewEvent]) {
        try await write { sql in
            var added: [Event] = []
            var skipped: [NewEvent] = []
            for new in list {
                if try await Self.exists(new, sql: sql) {
                    skipped.append(new)
                } else {
                    added.append(try await Self.insert(new, sql: sql))
                }
            }
            return (added, skipped)
        }
    }

    public func calendarFingerprint() async throws -> String {
        let fleet = self.fleet
        return try await read { sql in
            let events = try await sql.value(
                """
                SELECT concat_ws(',', count(*), max(id), sum(extract(epoch FROM start_at)), sum(extract(epoch FROM end_at))) FROM events
                """, as: String.self)
            let overrides = try await sql.value(
                "SELECT concat_ws(',', count(*), max(id), count(cleared_at)) FROM overrides WHERE fleet = \(fleet)", as: String.self)
            return "\(events ?? "")|\(overrides ?? "")"
        }
    }

    public func events() async throws -> [Event] {
        try await read { sql in
            try await sql.rows("SELECT \(unescaped: Self.eventColumns) FROM events ORDER BY start_at, id").map(Self.event)
        }
    }

    public func events(endingAfter instant: Date) async throws -> [Event] {
        try await read { sql in
            try await sql.rows("SELECT \(unescaped: Self.eventColumns) FROM events WHERE end_at > \(instant) ORDER BY start_at, id")
                .map(Self.event)
        }
    }

    public func event(id: Int64) async throws -> Event? {
        try await read { sql in try await sql.rows("SELECT \(unescaped: Self.eventColumns) FROM events WHERE id = \(id)").first.map(Self.event) }
    }

    public func removeEvent(id: Int64) async throws -> Event {
        try await write { sql in
            guard let row = try await sql.rows("DELETE FROM events WHERE id = \(id) RETURNING \(unescaped: Self.eventColumns)").first else {
                throw StoreError("there is no event #\(id); `scalectl calendar list` shows the ids")
            }
            return try Self.event(row)
        }
    }

    static func exists(_ new: NewEvent, sql: SQL) async throws -> Bool {
        try await !sql.rows("SELECT 1 FROM events WHERE name = \(new.name) AND start_at = \(new.start)").isEmpty
    }

    static func insert(_ new: NewEvent, sql: SQL) async throws -> Event {
        guard new.end >= new.start else { throw StoreError("event \"\(new.name)\" ends before it starts") }
        if try await exists(new, sql: sql) {
            throw StoreError("an event named \"\(new.name)\" starting at \(TimeText.iso(new.start)) already exists")
        }
        let counts = try JSONText.encode(new.counts)
        let rows = try await sql.rows(
            """
            INSERT INTO events (name, start_at, end_at, time_zone, counts, notes, created_at)
            VALUES (\(new.name), \(new.start), \(new.end), \(new.timeZone), \(counts), \(new.notes), now())
            RETURNING \(unescaped: eventColumns)
            """)
        guard let row = rows.first else { throw StoreError("the event row got no id") }
        return try event(row)
    }
}
