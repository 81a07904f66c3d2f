import Foundation
import GRDB
import ScaleCore
import ScaleSQLite
import Synchronization

/// The SQLite database: calendar, overrides, journal of runs and steps, node ledger and the run lock.
///
/// Several processes (cron jobs, the daemon, on-call commands) share one file; writes are serialized by
/// SQLite, with a busy timeout so a short wait never fails a command.
public final class Store: StateStore {
    public let database: any DatabaseWriter
    /// Runs, locks and the ledger are kept per fleet; the calendar is shared by the file.
    public let fleet: String
    /// The lease this process leads under, once a claim led: every journal step checks it (fencing).
    let fence = Mutex<Lease?>(nil)

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError`` naming the path when the file cannot be opened or migrated.
    public init(path: String, fleet: String) throws {
        do {
            database = try SQLiteFile.open(path, migrator: Store.migrator)
        } catch {
            throw StoreError("cannot open the database \(path): \(error)")
        }
        self.fleet = fleet
    }

    /// A private in-memory database, for tests.
    public init(inMemoryFor fleet: String) throws {
        let queue = try DatabaseQueue()
        try Store.migrator.migrate(queue)
        database = queue
        self.fleet = fleet
    }
}

extension Store {
    /// Writes in a transaction that a cancelled caller does not abort: GRDB's async writes throw at once when
    /// their task is cancelled, and a run stopped by a shutdown signal must still close its steps and
    /// itself, record what it created in the ledger, and release the lock.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let database = self.database
        return try await Task { try await database.write(updates) }.value
    }
}
