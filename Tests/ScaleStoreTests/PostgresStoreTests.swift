import Foundation
import ScaleCore
@testable import ScalePostgres
@testable import ScaleStore
import ScaleTesting
import Testing

/// What only the PostgreSQL store has to prove: migrations shared by concurrent starters, and database
/// trouble worded without the password.
struct PostgresStoreTests {
    @Test func migrationsAreTheSQLiteOnesByName() {
        #expect(PostgresMigrations.all.map(\.name) == Store.migrator.migrations)
    }

    /// Several controllers starting at once on an empty database: every one opens, the migrations ran once.
    @Test func concurrentStartersMigrateAnEmptyDatabaseOnce() async throws {
        let location = try await TestPostgres.database()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<6 {
                group.addTask {
                    let store = try await PostgresStore.open(location: location, fleet: "f\(index)", logger: TestTools.quietLogger)
                    _ = try await store.events()
                    await store.close()
                }
            }
            try await group.waitForAll()
        }
        let applied = try await TestPostgres.sql("SELECT name FROM scalectl_migrations ORDER BY name", database: location.database)
        #expect(applied.split(separator: "\n").map(String.init) == Store.migrator.migrations.sorted())
    }

    @Test func concurrentStartersOfOneFleetGetOneLock() async throws {
        let location = try await TestPostgres.database()
        let stores = try await (0..<4).asyncMap { _ in try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger) }
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for store in stores { group.addTask { (try? await store.startRun(command: "up", at: Date())) != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1, "exactly one starter holds the lock: \(outcomes)")
    }

    @Test func aWrongPasswordIsNamedWithoutThePassword() async throws {
        var location = try await TestPostgres.database()
        let wrong = "not-the-password-\(UUID().uuidString)"
        location.password = Secret(wrong)
        let error = try await #require(throws: PostgresStoreError.self) {
            try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger)
        }
        #expect(error.description.contains("postgres://scalectl@127.0.0.1:\(location.port)/\(location.database)"))
        #expect(error.description.contains("refused the login"), "\(error)")
        #expect(!error.description.contains(wrong))
        #expect(!error.description.contains(TestPostgres.password))
    }

    @Test func anUnreachableDatabaseIsNamed() async throws {
        let location = PostgresLocation(
            user: "scalectl", host: "127.0.0.1", port: TestPostgres.deadPort(), database: "gone", password: Secret(TestPostgres.password))
        let error = try await #require(throws: PostgresStoreError.self) {
            try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger)
        }
        #expect(error.description.hasPrefix("the database \(location.description): cannot reach it"), "\(error)")
        #expect(!error.description.contains(TestPostgres.password))
    }

    @Test func aReadOnlyDatabaseRefusesWritesClearly() async throws {
        let location = try await TestPostgres.database()
        _ = try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger)
        try await TestPostgres.sql("ALTER DATABASE \(location.database) SET default_transaction_read_only = on")
        let store = try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger)
        #expect(try await store.events().isEmpty, "reads still work")
        let error = try await #require(throws: PostgresStoreError.self) {
            try await store.addEvent(NewEvent(name: "Gala", start: Date(), end: Date() + 3600, timeZone: "UTC"))
        }
        #expect(error.description.contains("read-only"), "\(error)")
    }

    @Test func aStatementTimeoutIsNamedAndKeepsNothing() async throws {
        let location = try await TestPostgres.database()
        _ = try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger)
        try await TestPostgres.sql("ALTER DATABASE \(location.database) SET statement_timeout = '500ms'")
        let store = try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger)
        // A statement that takes longer than the timeout, on the store's own connection.
        let error = try await #require(throws: PostgresStoreError.self) {
            try await store.read { sql in try await sql.run("SELECT pg_sleep(5)") }
        }
        #expect(error.description.contains("timed out"), "\(error)")
        #expect(try await store.events().isEmpty, "the connection still serves")
    }

    /// A daemon outlives its connection (a database restart, a failover): calls connect again.
    @Test func aLostConnectionIsMadeAgainOnTheNextCall() async throws {
        let location = try await TestPostgres.database()
        let store = try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger)
        _ = try await store.addEvent(NewEvent(name: "Gala", start: Date(), end: Date() + 3600, timeZone: "UTC"))
        try await TestPostgres.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(location.database)'")
        // Whichever call meets the lost connection first finds it before any statement went through, and
        // runs again on a new one: neither fails.
        #expect(try await store.events().map(\.name) == ["Gala"])
        _ = try await store.addEvent(NewEvent(name: "Final", start: Date() + 7200, end: Date() + 9000, timeZone: "UTC"))
        #expect(try await store.events().map(\.name) == ["Gala", "Final"])
    }

    @Test func sslmodeRequireRefusesAServerWithoutTLS() async throws {
        var location = try await TestPostgres.database()
        location.sslMode = .require
        let error = try await #require(throws: PostgresStoreError.self) {
            try await PostgresStore.open(location: location, fleet: "m", logger: TestTools.quietLogger)
        }
        #expect(error.description.contains("does not offer TLS"), "\(error)")
    }

    @Test func aPasswordInTheURLIsRefused() {
        #expect(throws: PostgresLocationError.self) { try PostgresLocation(url: "postgres://u:secret@h:5432/db") }
        let parsed = try? PostgresLocation(url: "postgres://ops@db.example.org:6432/scalectl")
        #expect(parsed?.description == "postgres://ops@db.example.org:6432/scalectl")
        #expect((try? PostgresLocation(url: "postgres://ops@db.example.org/scalectl"))?.port == 5432)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
