import Foundation
import ScaleApp
import ScaleTesting
import Testing

/// examples/production.toml works where the shipped units run it: it loads, and whatever it writes is
/// under the one directory the units let scalectl write.
struct ProductionExampleTests {
    static let root = TestTools.repositoryRoot

    static func writablePaths(_ unit: String) throws -> [String] {
        let text = try String(contentsOfFile: "\(root)/schedules/systemd/\(unit)", encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("ReadWritePaths=") }.flatMap {
            $0.dropFirst("ReadWritePaths=".count).split(separator: " ").map(String.init)
        }
    }

    @Test(arguments: ["scalectl.service", "scalectl-reconcile.service", "scalectl-doctor.service"])
    func theDatabaseIsWhereTheUnitMayWrite(unit: String) throws {
        let configuration = try ConfigLoader.parse(
            try String(contentsOfFile: "\(Self.root)/examples/production.toml", encoding: .utf8), file: "/etc/scalectl/scalectl.toml")
        let writable = try Self.writablePaths(unit)
        #expect(!writable.isEmpty, "\(unit) names what it may write")
        #expect(writable.contains { configuration.database.hasPrefix($0 + "/") }, "\(configuration.database) is not under \(writable)")
        let text = try String(contentsOfFile: "\(Self.root)/schedules/systemd/\(unit)", encoding: .utf8)
        #expect(text.contains("--config /etc/scalectl/scalectl.toml") && text.contains("EnvironmentFile=/etc/scalectl/env"))
        #expect(text.contains("PrivateTmp=yes"), "command probes write their output under /tmp")
    }

    /// The default database lands beside the configuration, which the units do not let scalectl write:
    /// the example must not rely on it.
    @Test func theDefaultDatabaseWouldNotDo() throws {
        let text = try String(contentsOfFile: "\(Self.root)/examples/production.toml", encoding: .utf8)
        #expect(text.contains("database = \"/var/lib/scalectl/"))
        let withoutDatabase = text.split(separator: "\n").filter { !$0.hasPrefix("database") }.joined(separator: "\n")
        let configuration = try ConfigLoader.parse(withoutDatabase, file: "/etc/scalectl/scalectl.toml")
        #expect(configuration.database.hasPrefix("/etc/scalectl/"))
    }
}
