import Foundation
import GRDB
import ScaleCore
import ScaleTesting
import Testing

/// SIGTERM to the daemon while a run waits for booting nodes: the daemon stops cleanly (exit 0), the
/// run is marked interrupted with no step left running, and the next run converges without creating
/// anything twice.
@Suite(.serialized)
struct DaemonSignalTests {
    @Test func sigtermInTheMiddleOfARunStopsSafelyAndTheNextRunConverges() async throws {
        // Nodes take 15 s to boot: the daemon's first run is still waiting for them when the signal comes.
        try await TestFleet(bootTime: "15s", extraRoles: "\n[daemon]\ninterval = \"1m\"\nwatch = \"200ms\"").whileAlive { fleet in
            let start = Date().addingTimeInterval(20 * 60).rounded()  // lead 45m: the window is open now
            let added = try await fleet.run(
                "calendar", "add", "--name", "Live", "--start", TimeText.iso(start), "--end", TimeText.iso(start.addingTimeInterval(3600)))
            #expect(added.status == 0, "\(added)")

            let daemon = try fleet.start("daemon")
            try await daemon.waitForOutput("frontal: 0/3 running")
            let midRun = try Self.steps(fleet, outcome: "running")
            #expect(midRun.contains("await-running"), "the signal comes while the run waits for the nodes: \(midRun)")
            daemon.signal(SIGTERM)
            let stopped = try await daemon.finish(timeout: .seconds(30))
            #expect(stopped.signal == nil && stopped.status == 0, "\(stopped)")
            #expect(stopped.stdout.contains("daemon: stopped"), "\(stopped.stdout)")

            let leftRunning = try Self.steps(fleet, outcome: "running")
            #expect(leftRunning.isEmpty, "no step is left running: \(leftRunning)")
            let runs = try Self.runs(fleet)
            #expect(runs.first?.command == "reconcile" && runs.first?.outcome == "interrupted", "\(runs)")

            let now = TimeText.iso(Date())
            let up = try await fleet.run("up", "--json", "--at", now)
            #expect(up.status == 0, "\(up)")
            #expect(try up.json()["created"] as? [String] == [], "the interrupted run's nodes are found, not made again")
            let nodes = try await fleet.nodes(at: now)
            #expect(nodes["frontal"]?.count == 3 && nodes["celery"]?.count == 2, "\(nodes)")
            #expect(nodes.values.joined().allSatisfy { $0.state == "running" && $0.ready })
        }
    }

    static func steps(_ fleet: TestFleet, outcome: String) throws -> [String] {
        try DatabaseQueue(path: fleet.database).read { db in
            try String.fetchAll(db, sql: "SELECT kind FROM step WHERE outcome = ? ORDER BY id", arguments: [outcome])
        }
    }

    static func runs(_ fleet: TestFleet) throws -> [(command: String, outcome: String)] {
        try DatabaseQueue(path: fleet.database).read { db in
            try Row.fetchAll(db, sql: "SELECT command, outcome FROM run ORDER BY id").map { ($0["command"], $0["outcome"]) }
        }
    }
}
