import Foundation
import GRDB
import ScaleCore

/// A store problem, worded for the person reading it.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The SQLite database: calendar, overrides, journal of runs and steps, node ledger and the run lock.
///
/// Several processes (cron jobs, the daemon, on-call commands) share one file; writes are serialized by
/// SQLite, with a busy timeout so a short wait never fails a command.
public final class Store: Sendable {
    public let database: any DatabaseWriter
    /// Runs, locks and the ledger are kept per fleet; the calendar is shared by the file.
    public let fleet: String

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError`` naming the path when the file cannot be opened or migrated.
    public init(path: String, fleet: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        // Bounded memory for a daemon that runs for months: SQLite's page cache (2 MB per connection by
        // default, on each of the pool's connections) grew with the database, about a kilobyte a run.
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -256") }
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Store.migrator.migrateShared(pool)
            database = pool
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
