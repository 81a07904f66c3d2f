import Foundation
import GRDB

/// Opening an SQLite file that several processes share (cron runs, the daemon, on-call commands): the
/// controller's state store and the sim cloud's own state file both open theirs this way.
public enum SQLiteFile {
    /// Opens (creating the file and its directory if needed) the database at `path` with a busy timeout,
    /// so a short wait for another process never fails a command, and brings its schema up to date.
    public static func open(_ path: String, migrator: DatabaseMigrator) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        // Bounded memory for a daemon that runs for months: SQLite's page cache (2 MB per connection by
        // default, on each of the pool's connections) grew with the database (see `make soak`).
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -256") }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: path, configuration: configuration)
        try migrator.migrateShared(pool)
        return pool
    }
}

extension DatabaseMigrator {
    /// Migrates a database that other processes (cron runs, the daemon, on-call commands) may be
    /// migrating at the same moment. Each migration commits on its own; when another process applied
    /// one first, ours fails on the table it already made, and reading again shows the work done.
    public func migrateShared(_ writer: any DatabaseWriter) throws {
        var attempt = 0
        while true {
            do {
                try migrate(writer)
                return
            } catch {
                attempt += 1
                if try writer.read({ try hasCompletedMigrations($0) }) { return }
                guard attempt < 5 else { throw error }
                usleep(UInt32(20_000 * attempt))
            }
        }
    }
}
