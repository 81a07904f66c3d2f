import Foundation
import PostgresNIO

/// The schema, as the SQLite store's migrations named as sentences, each applied once and recorded in
/// `scalectl_migrations`. They run in one transaction under an advisory lock, so several controllers
/// starting at once on an empty database migrate it exactly once.
enum PostgresMigrations {
    /// The advisory lock key the migrations run under ("scalectl" in ASCII).
    static let lockKey: Int64 = 0x7363_616c_6563_746c

    static let all: [(name: String, statements: [PostgresQuery])] = [
        ("Create events", [
            """
            CREATE TABLE events (
              id bigserial PRIMARY KEY, name text NOT NULL, start_at timestamptz NOT NULL, end_at timestamptz NOT NULL,
              time_zone text NOT NULL, counts text NOT NULL DEFAULT '{}', notes text, created_at timestamptz NOT NULL,
              UNIQUE (name, start_at), CHECK (end_at > start_at))
            """,
        ]),
        ("Create overrides", [
            """
            CREATE TABLE overrides (
              id bigserial PRIMARY KEY, fleet text NOT NULL, action text NOT NULL, reason text NOT NULL, author text NOT NULL,
              created_at timestamptz NOT NULL, expires_at timestamptz, cleared_at timestamptz)
            """,
        ]),
        ("Create runs and steps", [
            """
            CREATE TABLE runs (
              id bigserial PRIMARY KEY, fleet text NOT NULL, command text NOT NULL, at timestamptz NOT NULL,
              started_at timestamptz NOT NULL, ended_at timestamptz, outcome text NOT NULL, pid bigint NOT NULL,
              host text NOT NULL, summary text, error text)
            """,
            "CREATE INDEX runs_fleet ON runs (fleet)",
            """
            CREATE TABLE steps (
              id bigserial PRIMARY KEY, run_id bigint NOT NULL REFERENCES runs ON DELETE CASCADE, role text, kind text NOT NULL,
              target text, detail text NOT NULL, started_at timestamptz NOT NULL, ended_at timestamptz, outcome text NOT NULL,
              error text)
            """,
            "CREATE INDEX steps_run ON steps (run_id)",
        ]),
        ("Create the node ledger", [
            """
            CREATE TABLE ledger_nodes (
              id bigserial PRIMARY KEY, fleet text NOT NULL, name text NOT NULL, role text NOT NULL, event text,
              server_type text, run_id bigint, provider_id text, requested_at timestamptz NOT NULL, created_at timestamptz,
              gone_at timestamptz, state text NOT NULL)
            """,
            "CREATE INDEX ledger_nodes_open ON ledger_nodes (fleet, name, gone_at)",
        ]),
        ("Create the run lock", [
            """
            CREATE TABLE run_locks (
              fleet text PRIMARY KEY, run_id bigint NOT NULL, command text NOT NULL, pid bigint NOT NULL, host text NOT NULL,
              process_start bigint, since timestamptz NOT NULL, heartbeat timestamptz NOT NULL)
            """,
        ]),
        ("Create alerts", [
            """
            CREATE TABLE alerts (
              id bigserial PRIMARY KEY, fleet text NOT NULL, run_id bigint, mode text, kind text NOT NULL, problem_key text,
              channel text NOT NULL, title text NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL,
              delivered_at timestamptz, attempts integer NOT NULL DEFAULT 0, error text, repeats integer NOT NULL DEFAULT 0,
              resolved_at timestamptz)
            """,
            "CREATE INDEX alerts_open ON alerts (fleet, kind, resolved_at)",
        ]),
        ("Index runs by time, for pruning the history", [
            "CREATE INDEX runs_fleet_at ON runs (fleet, at)",
        ]),
        ("Create calendar subscriptions", [
            // Which events a subscribed feed added; events added by hand or from CSV have no row here.
            """
            CREATE TABLE subscribed_events (
              event_id bigint PRIMARY KEY REFERENCES events ON DELETE CASCADE, source text NOT NULL, uid text NOT NULL,
              recurrence_id bigint NOT NULL, UNIQUE (source, uid, recurrence_id))
            """,
            // The last answer of each feed: validators for conditional requests, and the last problem.
            """
            CREATE TABLE calendar_sources (
              source text PRIMARY KEY, etag text, last_modified text, checked_at timestamptz, synced_at timestamptz, problem text)
            """,
        ]),
        ("Create the leader lease", [
            // One row per fleet, kept when released so the epoch only grows.
            """
            CREATE TABLE leases (
              fleet text PRIMARY KEY, host text NOT NULL, pid bigint NOT NULL, process_start bigint, command text NOT NULL,
              epoch bigint NOT NULL, since timestamptz NOT NULL, expires timestamptz NOT NULL)
            """,
            // Every controller that claimed the lease lately: the leader and those standing by.
            """
            CREATE TABLE controllers (
              fleet text NOT NULL, host text NOT NULL, pid bigint NOT NULL, process_start bigint, command text NOT NULL,
              seen timestamptz NOT NULL, PRIMARY KEY (fleet, host, pid))
            """,
            // The lease epoch a run's lock was taken under: a lock from an older epoch is stale.
            "ALTER TABLE run_locks ADD COLUMN epoch bigint",
        ]),
    ]

    /// Applies the migrations not applied yet, in `sql`'s transaction; returns the names it applied.
    @discardableResult
    static func migrate(_ sql: SQL) async throws -> [String] {
        // Up to date already: nothing to write (a read-only database still opens, and says so on a write).
        if try await sql.value("SELECT to_regclass('scalectl_migrations') IS NOT NULL", as: Bool.self) == true {
            let applied = Set(try await sql.rows("SELECT name FROM scalectl_migrations").map { try $0.decode(String.self) })
            if all.allSatisfy({ applied.contains($0.name) }) { return [] }
        }
        try await sql.run("SELECT pg_advisory_xact_lock(\(lockKey))")
        try await sql.run("CREATE TABLE IF NOT EXISTS scalectl_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL)")
        let applied = Set(try await sql.rows("SELECT name FROM scalectl_migrations").map { try $0.decode(String.self) })
        var names: [String] = []
        for migration in all where !applied.contains(migration.name) {
            for statement in migration.statements { try await sql.run(statement) }
            try await sql.run("INSERT INTO scalectl_migrations (name, applied_at) VALUES (\(migration.name), now())")
            names.append(migration.name)
        }
        return names
    }
}
