import Foundation
import Logging
import ScaleCore
import ScalePostgres
import ScaleStore

/// `scalectl migrate-state --from sqlite:PATH --to postgres://USER@HOST:PORT/DB`: copies an installation's
/// state (calendar with its subscriptions, overrides, node ledger, journal of runs and steps, alert log)
/// from its SQLite file into an empty PostgreSQL database, ids kept, and checks the counts per table.
public struct StateMigration: Sendable {
    public var source: String
    public var target: PostgresLocation

    /// Reads the command line's values.
    /// - Throws: ``InputError`` saying what is wrong; the password is never repeated.
    public init(
        from: String, to: String, sslMode: String?, passwordEnv: String?, passwordFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        guard from.hasPrefix("sqlite:"), case let path = String(from.dropFirst("sqlite:".count)), !path.isEmpty else {
            throw InputError("--from: give the SQLite file as sqlite:PATH (such as sqlite:/var/lib/scalectl/scalectl.sqlite)")
        }
        guard FileManager.default.fileExists(atPath: path) else { throw InputError("--from: there is no SQLite file \(path)") }
        source = path
        let mode = try sslMode.map { name in
            guard let mode = PostgresLocation.SSLMode(rawValue: name) else {
                throw InputError("--sslmode: \"\(name)\" is not one of disable, require, verify-full")
            }
            return mode
        } ?? .disable
        do {
            target = try PostgresLocation(url: to, sslMode: mode)
        } catch let error as PostgresLocationError {
            throw InputError("--to: the PostgreSQL URL \(error.description.replacingOccurrences(of: "password_env", with: "--password-env").replacingOccurrences(of: "password_file", with: "--password-file"))")
        }
        switch (passwordEnv, passwordFile) {
        case (.some, .some):
            throw InputError("give only one of --password-env and --password-file")
        case (let variable?, nil):
            guard let value = environment[variable], !value.isEmpty else {
                throw InputError("--password-env: the environment variable \(variable) is not set; export it")
            }
            target.password = Secret(value)
        case (nil, let file?):
            guard let data = FileManager.default.contents(atPath: file),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
            else { throw InputError("--password-file: the file \(file) is missing, unreadable or empty") }
            target.password = Secret(text)
        case (nil, nil):
            break
        }
    }

    /// What was copied: rows per table in the source and in the target after the copy.
    public struct Report: Sendable, Encodable {
        public var source: String
        public var target: String
        public var tables: [Table]

        public struct Table: Sendable, Encodable {
            public var name: String
            public var source: Int
            public var target: Int
        }
    }

    /// Copies, then compares the counts.
    /// - Throws: ``LockHeld`` when a run goes on in the source (nothing changed); ``StoreError`` when the
    ///   target is not empty (nothing changed); ``PostgresStoreError``
    ///   when the database cannot be reached or written; ``StateMigrationMismatch`` when the counts differ.
    public func run(logger: Logger) async throws -> Report {
        let from = try Store(path: source, fleet: "-")
        if let (fleet, holder) = try await from.liveLocks().first { throw LockHeld(fleet: fleet, holder: holder) }
        let snapshot = try await from.exportState()
        let to = try await PostgresStore.open(location: target, fleet: "-", logger: logger)
        let copied: [String: Int]
        do {
            try await to.importState(snapshot)
            copied = try await to.stateCounts()
            await to.close()
        } catch {
            await to.close()
            throw error
        }
        let tables = snapshot.counts.sorted { $0.key < $1.key }.map { Report.Table(name: $0.key, source: $0.value, target: copied[$0.key] ?? 0) }
        let report = Report(source: "sqlite:\(source)", target: target.description, tables: tables)
        if tables.contains(where: { $0.source != $0.target }) { throw StateMigrationMismatch(report: report) }
        return report
    }

    /// Runs the move for the command line: a line per table, or the report as JSON.
    public func run(console: Console, logger: Logger) async throws -> ExitStatus {
        let report = try await run(logger: logger)
        if console.json { console.emit(report) }
        console.line("copied sqlite:\(source) into \(target):")
        for table in report.tables { console.line("  \(table.name): \(table.target) of \(table.source)") }
        console.line("counts match. Point [controller] database at \(target) on every host, then start the controllers.")
        return .ok
    }
}

/// The copy's counts differ from the source's: the target must not be used as it is.
public struct StateMigrationMismatch: Error, Sendable, CustomStringConvertible {
    public var report: StateMigration.Report

    public var description: String {
        let differing = report.tables.filter { $0.source != $0.target }.map { "\($0.name): \($0.target) copied of \($0.source)" }
        return "the copy into \(report.target) does not match the source (\(differing.joined(separator: "; "))); "
            + "do not use it: empty it and run migrate-state again"
    }
}
