import Foundation
import GRDB
import ScaleCore
import ScaleSQLite

/// The SQLite database: calendar, overrides, journal of runs and steps, node ledger and the run lock.
///
/// Several processes (cron jobs, the daemon, on-call commands) share one file; writes are serialized by
/// SQLite, with a busy timeout so a short wait never fails a command.
public final class Store: StateStore {
    public let database: any DatabaseWriter
    /// Runs, locks and the ledger are kept per fleet; the calendar is shared by the file.
    public let fleet: String

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
