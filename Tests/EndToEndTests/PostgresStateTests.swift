import Foundation
import ScaleApp
import ScaleCore
import ScalePostgres
import ScaleStore
import ScaleTesting
import Testing

/// The real executable with its state in PostgreSQL (a private test cluster): the same commands as on
/// SQLite, the move from SQLite, and database trouble worded without the password.
@Suite(.awaitsCleanup)
struct PostgresStateTests {
    static let during = "2026-11-23T20:30"
    static let after = "2026-11-23T23:31"

    /// A sim fleet whose `[controller] database` is a fresh PostgreSQL database; the password in `PGTEST_PASSWORD`.
    static func fleet(_ location: PostgresLocation, controller: String = "password_env = \"PGTEST_PASSWORD\"") throws -> TestFleet {
        let fleet = try TestFleet()
        try fleet.keepState(in: location, controller: controller)
        return fleet
    }

    static let environment = TestPostgres.environment

    @Test func calendarAndReconcileRunOnPostgres() async throws {
        let location = try await TestPostgres.database()
        let fleet = try Self.fleet(location)
        atEnd { await fleet.cleanUp() }
        let env = Self.environment
        let added = try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00", environment: env)
        #expect(added.status == 0, "\(added)")
        let up = try await fleet.run("reconcile", "--at", Self.during, environment: env)
        #expect(up.status == 0, "\(up)")
        #expect(up.stdout.contains("frontal: 3/3 running"), "\(up)")
        #expect(try await TestPostgres.sql("SELECT count(*) FROM ledger_nodes WHERE state = 'created'", database: location.database) == "5")
        #expect(try await TestPostgres.sql("SELECT name FROM events", database: location.database) == "Gala")
        let down = try await fleet.run("reconcile", "--at", Self.after, environment: env)
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.contains("deleted 5 nodes, none left"), "\(down)")
        let history = try await fleet.run("history", environment: env)
        #expect(history.stdout.contains("frontal: resolve-snapshot"), "\(history)")
        #expect(!FileManager.default.fileExists(atPath: fleet.database), "no SQLite state file was made")
        _ = try await fleet.run("down", "--force", "--quiet", "--at", "2030-01-01T00:00Z", environment: env)
    }

    @Test func migrateStateCopiesVerifiesAndRefusesANonEmptyTarget() async throws {
        let fleet = try TestFleet()
        atEnd { await fleet.cleanUp() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        #expect(try await fleet.run("calendar", "add", "--name", "Final", "--start", "2026-11-30 21:00", "--end", "2026-11-30 23:00").status == 0)
        #expect(try await fleet.run("override", "hold", "--until", "2026-11-24 01:00", "--reason", "late show", "--at", "2026-11-23T20:00").status == 0)
        #expect(try await fleet.run("reconcile", "--at", Self.during).status == 0)
        #expect(try await fleet.run("reconcile", "--at", "2026-11-24T02:00").status == 0)

        let location = try await TestPostgres.database()
        let env = ["PGTEST_PASSWORD": TestPostgres.password]
        let move = ["migrate-state", "--from", "sqlite:\(fleet.database)", "--to", location.description, "--password-env", "PGTEST_PASSWORD", "--json"]
        let moved = try await CLI.run(move, environment: env)
        #expect(moved.status == 0, "\(moved)")
        let tables = try #require(try? moved.json()["tables"] as? [[String: Any]], "\(moved)")
        let counts = Dictionary(uniqueKeysWithValues: tables.map { ($0["name"] as? String ?? "", ($0["source"] as? Int ?? -1, $0["target"] as? Int ?? -2)) })
        #expect(counts["events"]?.0 == 2 && counts["events"]?.1 == 2, "\(counts)")
        #expect(counts["overrides"]?.1 == 1, "\(counts)")
        #expect((counts["runs"]?.1 ?? 0) >= 2 && counts["runs"]?.0 == counts["runs"]?.1, "\(counts)")
        #expect((counts["steps"]?.1 ?? 0) > 0 && counts["steps"]?.0 == counts["steps"]?.1, "\(counts)")
        #expect(counts["ledger"]?.1 == 5, "\(counts)")

        // The copy serves: the same fleet on PostgreSQL sees the calendar, the history and the ledger.
        let moved2 = try Self.fleet(location)
        atEnd { moved2.directory.remove() }
        let list = try await moved2.run("calendar", "list", environment: env)
        #expect(list.stdout.contains("Gala") && list.stdout.contains("Final"), "\(list)")
        let history = try await moved2.run("history", environment: env)
        #expect(history.stdout.contains("frontal: resolve-snapshot"), "\(history)")
        let added = try await moved2.run("calendar", "add", "--name", "Later", "--start", "2026-12-07 21:00", "--end", "2026-12-07 23:00", environment: env)
        #expect(added.status == 0, "new ids follow the copied ones: \(added)")

        let before = try await TestPostgres.sql("SELECT count(*) FROM events", database: location.database)
        let again = try await CLI.run(move, environment: env)
        #expect(again.status == 2, "\(again)")
        #expect(again.stderr.contains("is not empty"), "\(again)")
        #expect(try await TestPostgres.sql("SELECT count(*) FROM events", database: location.database) == before, "nothing was changed")
    }

    @Test func migrateStateWaitsWhileARunGoesOn() async throws {
        let directory = try TemporaryDirectory()
        atEnd { directory.remove() }
        let path = directory.file("db.sqlite")
        _ = try await Store(path: path, fleet: "t").startRun(command: "up", at: Date())
        let location = try await TestPostgres.database()
        let migration = try StateMigration(
            from: "sqlite:\(path)", to: location.description, sslMode: nil, passwordEnv: "PGTEST_PASSWORD", passwordFile: nil,
            environment: Self.environment)
        await #expect(throws: LockHeld.self) { try await migration.run(logger: TestTools.quietLogger) }
        #expect(try await TestPostgres.sql("SELECT to_regclass('events') IS NULL", database: location.database) == "t", "nothing was made")
    }

    @Test func aWrongPasswordOrAnUnreachableDatabaseExitsOneNamingItWithoutThePassword() async throws {
        let location = try await TestPostgres.database()
        let fleet = try Self.fleet(location)
        atEnd { fleet.directory.remove() }
        let wrong = "wrong-\(UUID().uuidString)"
        let refused = try await fleet.run("calendar", "list", environment: ["PGTEST_PASSWORD": wrong])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("the database \(location): the server refused the login of scalectl"), "\(refused)")
        #expect(!(refused.stdout + refused.stderr).contains(wrong))

        var gone = location
        gone.port = TestPostgres.deadPort()
        let unreachable = try Self.fleet(gone)
        atEnd { unreachable.directory.remove() }
        let result = try await unreachable.run("reconcile", "--at", Self.during, environment: Self.environment)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("the database \(gone): cannot reach it"), "\(result)")
        #expect(!(result.stdout + result.stderr).contains(TestPostgres.password))
    }

    @Test func aPasswordInTheURLIsAConfigurationError() async throws {
        let fleet = try TestFleet()
        atEnd { fleet.directory.remove() }
        let text = try String(contentsOfFile: fleet.config, encoding: .utf8).replacingOccurrences(
            of: "database = \"state/scalectl.sqlite\"", with: "database = \"postgres://ops:hunter2@db.example.org:5432/scalectl\"")
        try text.write(toFile: fleet.config, atomically: true, encoding: .utf8)
        let result = try await fleet.run("calendar", "list")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("database"), "\(result)")
        #expect(result.stderr.contains("password_env"), "\(result)")
        #expect(!result.stderr.contains("hunter2"), "\(result)")
    }
}
