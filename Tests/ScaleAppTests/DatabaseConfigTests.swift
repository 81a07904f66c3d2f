import Foundation
import ScaleApp
import ScaleCore
import ScalePostgres
import Testing

/// `[controller] database`: a SQLite path (the default) or `postgres://USER@HOST:PORT/DB` with `sslmode`
/// and the password's variable or file; never a password in the file.
struct DatabaseConfigTests {
    static func config(_ controller: String) -> String {
        ConfigLoaderTests.good.replacingOccurrences(of: "fleet = \"mihiluze\"", with: "fleet = \"mihiluze\"\n\(controller)")
    }

    static func problem(_ controller: String) -> ConfigError? {
        do {
            _ = try ConfigLoader.parse(config(controller), file: "/etc/scalectl/scalectl.toml")
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    @Test func aPostgresURLWithItsTLSAndPasswordVariable() throws {
        let configuration = try ConfigLoader.parse(
            Self.config("""
                database = "postgres://scalectl@db.example.org:6432/scalectl"
                sslmode = "verify-full"
                password_env = "SCALECTL_DB_PASSWORD"
                """), file: "/etc/scalectl/scalectl.toml")
        let postgres = try #require(configuration.postgres)
        #expect(postgres.location.description == "postgres://scalectl@db.example.org:6432/scalectl")
        #expect(postgres.location.sslMode == .verifyFull)
        #expect(configuration.database == "postgres://scalectl@db.example.org:6432/scalectl")
        let resolved = try postgres.resolved(configFile: configuration.file, environment: ["SCALECTL_DB_PASSWORD": "s3cret"])
        #expect(resolved.password?.reveal() == "s3cret")
        #expect(throws: ConfigError.self, "an unset variable is named") {
            try postgres.resolved(configFile: configuration.file, environment: [:])
        }
    }

    @Test func aPathStaysSQLite() throws {
        let configuration = try ConfigLoader.parse(Self.config("database = \"state/db.sqlite\""), file: "/etc/scalectl/scalectl.toml")
        #expect(configuration.postgres == nil)
        #expect(configuration.database == "/etc/scalectl/state/db.sqlite")
    }

    @Test(arguments: [
        ("database = \"postgres://ops:hunter2@db:5432/s\"", "database", "password_env"),
        ("database = \"postgres://ops@db:5432/s\"\npassword = \"hunter2\"", "password", "password_env"),
        ("database = \"postgres://ops@db:5432/s\"\nsslmode = \"prefer\"", "sslmode", "verify-full"),
        ("database = \"postgres://db:5432/s\"", "database", "names no user"),
        ("database = \"postgres://ops@db:5432\"", "database", "names no database"),
        ("sslmode = \"require\"", "sslmode", "only to a PostgreSQL database"),
        ("database = \"postgres://ops@db/s\"\npassword_env = \"A\"\npassword_file = \"/p\"", "password_file", "only one of"),
    ])
    func badDatabaseSettingsNameTheKeyAndNeverThePassword(_ controller: String, key: String, says: String) throws {
        let error = try #require(Self.problem(controller))
        #expect(error.key?.hasSuffix(key) == true, "\(error)")
        #expect(error.description.contains(says), "\(error)")
        #expect(!error.description.contains("hunter2"), "\(error)")
    }
}
