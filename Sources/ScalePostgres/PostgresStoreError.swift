import Foundation
import PostgresNIO

/// The PostgreSQL database could not do what was asked: unreachable, a refused login, read-only, a
/// statement that timed out. Names the database (never its password) and what to check.
public struct PostgresStoreError: Error, Sendable, CustomStringConvertible {
    /// `postgres://USER@HOST:PORT/DB`.
    public var database: String
    public var problem: String

    public init(database: String, problem: String) {
        self.database = database
        self.problem = problem
    }

    public var description: String { "the database \(database): \(problem)" }

    /// Words a PostgresNIO error for the person reading it. PSQLError's own description hides everything
    /// on purpose; the server's message and SQLSTATE say what happened and never carry a password.
    static func wording(_ error: any Error, location: PostgresLocation) -> PostgresStoreError {
        let problem: String
        if let error = error as? PSQLError {
            problem = wording(error, location: location)
        } else if let error = error as? PostgresStoreError {
            return error
        } else {
            problem = "\(error)"
        }
        return PostgresStoreError(database: location.description, problem: problem)
    }

    /// The last thing that went wrong while connecting, without NIO's wrapping.
    private static func cause(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            return error.serverInfo?[.message] ?? error.underlying.map(cause) ?? "\(error.code)"
        }
        guard let error = error as? NIOConnectionError else { return "\(error)" }
        if let last = error.connectionErrors.last { return "\(last.error)" }
        return (error.dnsAError ?? error.dnsAAAAError).map { "\($0)" } ?? "no address for \(error.host)"
    }

    private static func wording(_ error: PSQLError, location: PostgresLocation) -> String {
        switch error.code {
        case .server:
            let message = error.serverInfo?[.message] ?? "no message"
            switch error.serverInfo?[.sqlState] ?? "" {
            case "28P01", "28000":
                return "the server refused the login of \(location.user) (\(message)); check the password that password_env or password_file names"
            case "3D000":
                return "\(message): create it (CREATE DATABASE \(location.database)) or fix the URL"
            case "25006":
                return "it is read-only (\(message)): point database at the primary, not a standby"
            case "57014":
                return "a statement timed out or was cancelled (\(message)); nothing of it was kept"
            case "55P03":
                return "a lock could not be taken in time (\(message)); nothing of it was kept"
            case let state where state.hasPrefix("08"):
                return "the connection failed (\(message))"
            case let state:
                return "\(message) (SQLSTATE \(state))"
            }
        case .connectionError:
            let cause = error.underlying.map(cause) ?? "no answer"
            return "cannot reach it (\(cause)); check that the server runs and listens on \(location.host):\(location.port)"
        case .sslUnsupported:
            return "the server does not offer TLS, and sslmode = \"\(location.sslMode.rawValue)\" requires it"
        case .failedToAddSSLHandler:
            return "TLS could not be set up (\(error.underlying.map { "\($0)" } ?? "no detail"))"
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return "the connection was lost (\(error.underlying.map(cause) ?? "\(error.code)")); the next call connects again"
        case .authMechanismRequiresPassword:
            return "the server asks \(location.user) for a password: name it with password_env or password_file"
        case .unsupportedAuthMechanism, .saslError:
            return "the login of \(location.user) failed (\(error.code)); check the password that password_env or password_file names"
        case .queryCancelled:
            return "a statement was cancelled"
        default:
            return "\(error.code) (\(error.underlying.map { "\($0)" } ?? "no detail"))"
        }
    }
}
