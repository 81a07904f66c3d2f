import Foundation
import ScaleCore
import ScalePostgres

/// `[controller] database` when it names PostgreSQL (`postgres://USER@HOST:PORT/DB`): where, how (TLS),
/// and which variable or file holds the password. The password itself is read when a command opens the
/// store, never from the file.
public struct PostgresSettings: Sendable, Hashable {
    /// The database, without a password.
    public var location: PostgresLocation
    /// `password_env` or `password_file`; nil when the server asks none (trust, peer).
    public var password: ConfiguredSecret?

    public init(location: PostgresLocation, password: ConfiguredSecret?) {
        self.location = location
        self.password = password
    }

    /// The location with its password read from the environment or the file.
    /// - Throws: ``ConfigError`` naming the key when the variable is unset or the file unreadable.
    public func resolved(configFile: String, environment: [String: String]) throws -> PostgresLocation {
        var location = self.location
        location.password = try password?.read(configFile: configFile, environment: environment)
        return location
    }
}

extension ConfigLoader {
    /// Reads `database`, `sslmode`, `password_env` and `password_file` of `[controller]`: a SQLite path
    /// (nil) or PostgreSQL settings.
    static func postgresSettings(_ controller: TOMLReader, database: String, resolve: (String) -> String) throws -> PostgresSettings? {
        let mode = try controller.string("sslmode")
        let password = try secret(controller, "password", literal: false, resolve: resolve)
        guard PostgresLocation.isURL(database) else {
            if let key = ["sslmode", "password_env", "password_file"].first(where: controller.has) {
                throw controller.error(key, "applies only to a PostgreSQL database (database = \"postgres://USER@HOST:PORT/DB\")")
            }
            return nil
        }
        var sslMode = PostgresLocation.SSLMode.disable
        if let mode {
            guard let known = PostgresLocation.SSLMode(rawValue: mode) else {
                let modes = PostgresLocation.SSLMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw controller.error("sslmode", "\"\(mode)\" is not one of \(modes)")
            }
            sslMode = known
        }
        do {
            return PostgresSettings(location: try PostgresLocation(url: database, sslMode: sslMode), password: password)
        } catch let error as PostgresLocationError {
            // The URL itself is not repeated: it may hold the password it is refused for.
            throw controller.error("database", "the PostgreSQL URL \(error.description)")
        }
    }
}

extension Configuration {
    /// A file path that stands for the state on this host: the SQLite database, or with PostgreSQL a
    /// `scalectl.sqlite` beside the configuration file (the sim cloud keeps its state file beside it).
    public var localDatabase: String {
        guard postgres != nil else { return database }
        return URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("scalectl.sqlite").path
    }
}
