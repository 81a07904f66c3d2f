import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// The daemon on real time and the sim provider, through one short event.
@Suite(.serialized, .awaitsCleanup)
struct DaemonTests {
    static func iso(_ date: Date) -> String { TimeText.iso(date) }

    @Test func scalesUpBeforeTheStartDownAfterTheMarginAndServesMetrics() async throws {
        let fleet = try TestFleet(
            lead: "20s", margin: "2s",
            extraRoles: "\n[daemon]\ninterval = \"1s\"\nwatch = \"200ms\"\nmetrics = \"127.0.0.1:0\"")
        atEnd { await fleet.cleanUp() }

        let daemon = try fleet.start("daemon")
        let port = try await daemon.servingPort()  // bound once by the daemon, never picked beforehand
        let metrics = try await Self.scrape(port: port)
        #expect(metrics.contains { $0.name == "scalectl_nodes_desired" && $0.labels["role"] == "frontal" && $0.value == 0 }, "every role is listed before any run")

        // An event added while the daemon runs: it notices within its watch interval.
        let start = Date().addingTimeInterval(25).rounded()
        let end = start.addingTimeInterval(6)
        #expect(try await fleet.run("calendar", "add", "--name", "Flash", "--start", Self.iso(start), "--end", Self.iso(end)).status == 0)

        // The window opens at start - 20s; the fleet must be ready before the start.
        try await daemon.waitForOutput("frontal: 3/3 ready", timeout: .seconds(30))
        #expect(Date() < start, "the fleet was ready before the event started")
        // The metrics are recorded when the run has finished, a moment after the last node is ready.
        try await daemon.waitForOutput("reconcile: done", timeout: .seconds(30))
        let during = try await Self.scrape(port: port)
        #expect(during.contains { $0.name == "scalectl_nodes" && $0.labels["role"] == "frontal" && $0.labels["state"] == "running" && $0.value == 3 })
        #expect(during.contains { $0.name == "scalectl_nodes_ready" && $0.labels["role"] == "frontal" && $0.value == 3 })
        #expect(during.contains {
            $0.name == "scalectl_nodes_placed" && $0.labels["role"] == "frontal" && $0.labels["server_type"] == "cpx31"
                && $0.labels["location"] == "unknown" && $0.value == 3
        }, "nodes by the type and place they got")
        #expect(during.contains { $0.name == "scalectl_provider_calls_total" && $0.labels["kind"] == "create" && $0.value == 5 })
        #expect(during.contains { $0.name == "scalectl_next_transition_timestamp_seconds" })
        #expect(during.contains { $0.name == "scalectl_leader" && $0.value == 1 }, "the only daemon leads")
        #expect(during.contains { $0.name == "scalectl_lease_renewals_total" && $0.value >= 1 })

        // An override made while the daemon runs is noticed within its watch interval.
        #expect(try await fleet.run("override", "set", "celery", "3", "--event", "1", "--reason", "more players").status == 0)
        try await daemon.waitForOutput("celery: 3/3 ready", timeout: .seconds(15))

        let status = try JSONSerialization.jsonObject(with: try await Self.get(port: port, path: "/status")) as? [String: Any]
        #expect((status?["window"] as? [String: Any])?["event"] as? String == "Flash")

        // After end + margin, everything goes.
        try await daemon.waitForOutput("none left", timeout: .seconds(90))
        #expect(Date() >= end.addingTimeInterval(2), "no teardown before the margin was over")
        #expect(try await fleet.nodes(at: Self.iso(Date())).values.allSatisfy(\.isEmpty))

        daemon.signal(SIGTERM)
        let result = try await daemon.finish(timeout: .seconds(20))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("daemon: stopped"))
    }

    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static func get(port: Int, path: String) async throws -> Data {
        let response = try await HTTPClient().send(HTTPRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!, timeout: .seconds(10)))
        #expect(response.status == 200)
        return response.body
    }

    /// /metrics parsed by the official Prometheus client's parser (from the test venv).
    static func scrape(port: Int) async throws -> [Sample] {
        let text = try await get(port: port, path: "/metrics")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt").path
        try text.write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file); try? FileManager.default.removeItem(atPath: file + ".json") }
        let python = try TestTools.venv("python")
        let (status, output) = try await ChildProcess.run("\(python) \(TestTools.repositoryRoot)/Tests/Fakes/prometheus_parse.py \(file) \(file).json", timeout: .seconds(30))
        #expect(status == 0, "/metrics does not parse as Prometheus text: \(output)")
        let parsed = (try? String(contentsOfFile: file + ".json", encoding: .utf8)) ?? ""
        return parsed.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Sample(name: object["name"] as? String ?? "", labels: object["labels"] as? [String: String] ?? [:], value: object["value"] as? Double ?? -1)
        }
    }
}

extension Date {
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }
}
