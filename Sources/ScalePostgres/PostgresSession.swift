import Foundation
import Logging
import PostgresNIO
import ScaleCore
import Synchronization

/// One connection to the database, used by one caller at a time, connected when first needed and again
/// after it closed.
///
/// A single connection rather than `PostgresClient`'s pool: a command makes a handful of statements, and
/// the pool waits forever for a database it cannot reach, where a command must fail with the reason.
actor PostgresSession {
    let location: PostgresLocation
    let logger: Logger
    private var connection: PostgresConnection?
    private var nextID = 0
    /// Whether this process brought the schema up to date already.
    private var migrated = false
    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    deinit {
        // PostgresNIO requires a connection closed before it goes: hold it until the close is done.
        if let connection, !connection.isClosed { connection.close().whenComplete { _ in _ = connection } }
    }

    /// Runs `body` with the connection, alone: nobody else's statement comes between its statements.
    ///
    /// A connection kept from an earlier call may have been lost meanwhile (a database restart, a
    /// failover, an idle timeout): when its first statement finds it gone, nothing was done, and `body`
    /// runs once more on a new connection. A loss after a statement went through is thrown.
    func exclusive<T: Sendable>(_ body: @Sendable (SQL) async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        let kept = connection.map { !$0.isClosed } ?? false
        let first = Progress()
        do {
            return try await attempt(body, progress: first)
        } catch let error as PSQLError where kept && first.statements == 0 && Self.isConnectionLoss(error) {
            return try await attempt(body, progress: Progress())
        }
    }

    private func attempt<T: Sendable>(_ body: @Sendable (SQL) async throws -> T, progress: Progress) async throws -> T {
        let connection = try await connected()
        let sql = SQL(connection: connection, logger: logger, progress: progress)
        do {
            if !migrated {
                _ = try await sql.transaction { sql in try await PostgresMigrations.migrate(sql) }
                migrated = true
            }
            return try await body(sql)
        } catch {
            if connection.isClosed || (error as? PSQLError).map(Self.isConnectionLoss) == true {
                self.connection = nil
                connection.close().whenComplete { _ in _ = connection }
            }
            throw error
        }
    }

    static func isConnectionLoss(_ error: PSQLError) -> Bool {
        [.serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError].contains(error.code)
            || (error.code == .server && (error.serverInfo?[.sqlState] ?? "").hasPrefix("57P0"))
    }

    /// Closes the connection, if open.
    func close() async {
        await acquire()
        defer { release() }
        try? await connection?.close()
        connection = nil
    }

    /// Connecting, logging in and starting the session, whole (PostgresNIO's own timeout covers the TCP connect).
    static let connectTimeout: Duration = .seconds(15)

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password?.reveal(),
            database: location.database, tls: try tls())
        configuration.options.connectTimeout = .seconds(10)

        if location.sslMode == .verifyFull { configuration.options.tlsServerName = location.host }
        nextID += 1
        let (id, logger, settings) = (nextID, self.logger, configuration)
        let made = try await withDeadline(Self.connectTimeout, onLate: { late in late.close().whenComplete { _ in _ = late } }) {
            try await PostgresConnection.connect(configuration: settings, id: id, logger: logger)
        }
        connection = made
        return made
    }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        switch location.sslMode {
        case .disable:
            return .disable
        case .require:
            var settings = TLSConfiguration.makeClientConfiguration()
            settings.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: settings))
        case .verifyFull:
            return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    private func acquire() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
    }
}

/// How many statements of one call went through.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var statements: Int { lock.withLock { count } }
    func done() { lock.withLock { count += 1 } }
}

/// The statements of one store call, on the session's connection.
struct SQL: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    let progress: Progress

    /// How long one statement may go unanswered before its connection is closed: a database that took
    /// the connection and then stopped answering (cut off, overloaded) fails the call, so a leader that
    /// cannot renew its lease says so instead of waiting forever behind a statement that never returns.
    static let statementTimeout: Duration = .seconds(15)

    /// Every row `query` returns.
    /// - Throws: ``StatementTimedOut`` when no answer came within ``statementTimeout`` (the connection
    ///   is closed then, and the session makes a new one for the next call).
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let (connection, logger) = (self.connection, self.logger)
        let rows = try await withDeadline(Self.statementTimeout, onTimeout: { connection.close().whenComplete { _ in _ = connection } }) {
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
            return rows
        }
        progress.done()
        return rows
    }

    /// Runs `query`, discarding what it returns.
    func run(_ query: PostgresQuery) async throws {
        _ = try await rows(query)
    }

    /// The first column of the first row, if any.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        try await rows(query).first.map { try $0.decode(T.self) }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws (its error
    /// is the one thrown).
    func transaction<T: Sendable>(_ body: (SQL) async throws -> T) async throws -> T {
        try await run("BEGIN")
        do {
            let value = try await body(self)
            try await run("COMMIT")
            return value
        } catch {
            if !connection.isClosed { try? await run("ROLLBACK") }
            throw error
        }
    }
}

/// Values kept as JSON text (per-role counts, override actions, alert payloads).
enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        return try decoder.decode(type, from: Data(text.utf8))
    }
}

/// A statement the database did not answer in time; its connection was closed.
struct StatementTimedOut: Error, CustomStringConvertible {
    var after: Duration
    var description: String { "no answer to a statement within \(DurationText.format(after)); the connection was closed (is the database overloaded or cut off?)" }
}

/// `operation`'s result, or ``StatementTimedOut`` when it has not finished within `limit`. Then
/// `onTimeout` runs, the operation is cancelled and left behind (what it still returns goes to `onLate`): a database that stopped answering must
/// fail the call, whatever state the connection is in, and never hold the caller (or the session's next
/// caller, or the lease renewal behind them) forever.
func withDeadline<T: Sendable>(
    _ limit: Duration, onTimeout: @escaping @Sendable () -> Void = {}, onLate: @escaping @Sendable (T) -> Void = { _ in },
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let waiter = OneAnswer<T>()
    return try await withCheckedThrowingContinuation { continuation in
        waiter.wait(continuation)
        let work = Task { try await operation() }
        let timer = Task {
            try await Task.sleep(for: limit)
            if waiter.answer(.failure(StatementTimedOut(after: limit))) {
                work.cancel()
                onTimeout()
            }
        }
        Task {
            let result = await work.result
            timer.cancel()
            // A result that comes after the deadline is nobody's: `onLate` disposes of it (a connection, closed).
            if !waiter.answer(result), case .success(let late) = result { onLate(late) }
        }
    }
}

/// A continuation resumed once, by whichever answer comes first.
final class OneAnswer<T: Sendable>: Sendable {
    private let waiting = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func wait(_ continuation: CheckedContinuation<T, any Error>) { waiting.withLock { $0 = continuation } }

    /// Resumes the waiter with `result` unless another answer came first; true when this one did.
    @discardableResult
    func answer(_ result: Result<T, any Error>) -> Bool {
        let continuation = waiting.withLock { current -> CheckedContinuation<T, any Error>? in
            defer { current = nil }
            return current
        }
        continuation?.resume(with: result)
        return continuation != nil
    }
}
