import Foundation
import ScaleCore

/// Where a PostgreSQL state store lives: `postgres://USER@HOST:PORT/DB`, how to reach it (TLS) and the
/// password, which never comes from the URL.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// `sslmode`, as libpq names it: no TLS, TLS without checking the certificate, or TLS with the
    /// certificate checked against the system's roots and the host name.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable
        case require
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode
    public var password: Secret?

    public init(user: String, host: String, port: Int = 5432, database: String, sslMode: SSLMode = .disable, password: Secret? = nil) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
        self.password = password
    }

    /// `postgres://USER@HOST:PORT/DB`: what messages name; never the password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Reads `postgres://USER@HOST[:PORT]/DB`.
    /// - Throws: ``PostgresLocationError`` saying what is missing, or that the URL holds a password.
    public init(url text: String, sslMode: SSLMode = .disable, password: Secret? = nil) throws {
        guard Self.isURL(text), let url = URLComponents(string: text) else {
            throw PostgresLocationError("is not a URL of the form postgres://USER@HOST:PORT/DB")
        }
        guard url.password == nil else {
            throw PostgresLocationError(
                "holds a password: passwords never live in the URL or the file; name the variable that holds it with password_env (or a file with password_file)")
        }
        guard let user = url.user, !user.isEmpty else { throw PostgresLocationError("names no user: write postgres://USER@HOST:PORT/DB") }
        guard let host = url.host, !host.isEmpty else { throw PostgresLocationError("names no host: write postgres://USER@HOST:PORT/DB") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresLocationError("names no database: write postgres://USER@HOST:PORT/DB")
        }
        guard url.query == nil, url.fragment == nil else {
            throw PostgresLocationError("takes no query (?...): give sslmode, password_env or password_file as keys of [controller]")
        }
        self.init(
            user: user.removingPercentEncoding ?? user, host: host, port: url.port ?? 5432,
            database: database.removingPercentEncoding ?? database, sslMode: sslMode, password: password)
    }
}

/// A PostgreSQL URL that cannot be used, worded to follow the key or option that gave it.
public struct PostgresLocationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
