import Foundation
import ScaleCore
import ScalePostgres
import ScaleStore
import ScaleTesting
import Testing

/// The state stores the store suites run against: each test gets a fresh database of its own.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// A fresh, empty database (a SQLite file is removed when the test ends: its suite carries
    /// `.awaitsCleanup`); ``Place/open(_:)`` opens stores of several fleets (or several processes' worth) on it.
    func place() async throws -> Place {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            atEnd { directory.remove() }
            return Place(backend: self, sqlitePath: directory.file("db.sqlite"), postgres: nil)
        case .postgres:
            return Place(backend: self, sqlitePath: nil, postgres: try await TestPostgres.database())
        }
    }

    /// A store of `fleet` on a fresh database.
    func open(_ fleet: String = "m") async throws -> any StateStore {
        try await place().open(fleet)
    }

    struct Place: Sendable {
        let backend: Backend
        let sqlitePath: String?
        let postgres: PostgresLocation?

        func open(_ fleet: String = "m") async throws -> any StateStore {
            if let sqlitePath { return try Store(path: sqlitePath, fleet: fleet) }
            return try await PostgresStore.open(location: postgres!, fleet: fleet, logger: TestTools.quietLogger)
        }
    }
}
