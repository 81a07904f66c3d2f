import Foundation
import ScaleApp
import ScaleCore
import Testing

/// `snapshot = { from, take_at, keep, ... }`: read into a template, bad values named by key and line.
struct SnapshotConfigTests {
    static func config(_ snapshot: String) -> String {
        ConfigLoaderTests.good.replacingOccurrences(of: "snapshot = { labels = \"role=frontal\", max_age = \"30h\" }", with: "snapshot = \(snapshot)")
    }

    @Test func readsTheTemplateAndDefaultsToTheFleetsOwnLabels() throws {
        let configuration = try ConfigLoader.parse(Self.config("{ from = \"frontal-template\", take_at = \"17:05\", keep = 3 }"), file: "scalectl.toml")
        let rule = try #require(configuration.fleet.role("frontal")?.snapshot)
        #expect(rule.template == SnapshotTemplate(from: "frontal-template", takeAtMinutes: 17 * 60 + 5, keep: 3))
        #expect(rule.selector == "scalectl-fleet=mihiluze,scalectl-role=frontal")
        #expect(configuration.fleet.role("celery")?.snapshot.template == nil, "without from nothing changes")
    }

    @Test(arguments: [
        ("{ from = \"t\" }", "scalectl.toml:15: roles.frontal.snapshot.take_at: is required with from"),
        ("{ from = \"t\", take_at = \"5pm\" }", "roles.frontal.snapshot.take_at: \"5pm\" is not a time of day HH:MM"),
        ("{ from = \"t\", take_at = \"17:00\", keep = 0 }", "roles.frontal.snapshot.keep"),
        ("{ from = \"t\", take_at = \"17:00\", consistent = \"reboot\" }", "roles.frontal.snapshot.consistent: \"reboot\" is not known"),
        ("{ labels = \"role=frontal\", keep = 3 }", "roles.frontal.snapshot.keep: needs from"),
        ("{ from = \"role!=x\", take_at = \"17:00\" }", "roles.frontal.snapshot.from: \"role!=x\" is neither a server name nor a label selector"),
    ])
    func refusesNamingKeyAndLine(snapshot: String, message: String) throws {
        #expect {
            try ConfigLoader.parse(Self.config(snapshot), file: "scalectl.toml")
        } throws: { error in
            error is ConfigError && "\(error)".contains(message)
        }
    }
}
