import Foundation
import Logging
import PostgresNIO
import ScaleCore
import Synchronization

/// The shared state store for two or more hosts: calendar, subscriptions, overrides, journal, ledger,
/// run lock and alert log in a PostgreSQL database, with the same named migrations as the SQLite store.
///
/// One connection, opened when first needed and again after it closed; calls are serialized on it, and
/// each call that writes more than one row is one transaction.
public final class PostgresStore: StateStore, FeedStore {
    public let fleet: String
    public let location: PostgresLocation
    let session: PostgresSession
    /// The lease this process leads under, once a claim led: every intent checks it (fencing).
    let fence = Mutex<Lease?>(nil)

    /// A store of `fleet` in the database at `location`. Nothing is connected yet: the first call connects
    /// and brings the schema up to date (the migrations run once, under an advisory lock, whoever starts
    /// at the same time); ``open(location:fleet:logger:)`` does it at once.
    public init(location: PostgresLocation, fleet: String, logger: Logger) {
        self.location = location
        self.fleet = fleet
        session = PostgresSession(location: location, logger: logger)
    }

    /// Connects to `location` and brings its schema up to date.
    /// - Throws: ``PostgresStoreError`` naming the database (never its password) when it cannot be
    ///   reached, refuses the login, or cannot be migrated.
    public static func open(location: PostgresLocation, fleet: String, logger: Logger) async throws -> PostgresStore {
        let store = PostgresStore(location: location, fleet: fleet, logger: logger)
        try await store.read { _ in }
        return store
    }

    /// Closes the connection. Calls after it connect again.
    public func close() async { await session.close() }

    /// Runs `body` alone on the connection, in a task a cancelled caller does not abort: a run stopped by
    /// a shutdown signal must still close its steps and itself, record what it created, and release the
    /// lock. Database trouble becomes a ``PostgresStoreError``; the store's own errors pass unchanged.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQL) async throws -> T) async throws -> T {
        let session = self.session
        let location = self.location
        return try await Task {
            do {
                return try await session.exclusive(body)
            } catch let error as PSQLError {
                throw PostgresStoreError.wording(error, location: location)
            }
        }.value
    }

    /// ``read(_:)`` in a transaction: all or nothing.
    func write<T: Sendable>(_ body: @escaping @Sendable (SQL) async throws -> T) async throws -> T {
        try await read { sql in try await sql.transaction(body) }
    }
}
