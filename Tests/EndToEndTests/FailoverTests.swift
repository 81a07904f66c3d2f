import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// Two daemons on one state database and one (sim) cloud: one leads, one stands by; the leader is killed
/// with SIGKILL while it creates nodes, and the standby takes the lead and completes the fleet.
@Suite(.serialized, .awaitsCleanup)
struct FailoverTests {
    @Test func theStandbyTakesOverAKilledLeaderInTheMiddleOfCreatingAndCompletesTheFleet() async throws {
        // Servers take 6 s to boot, so the leader is still waiting for them when it is killed.
        let fleet = try TestFleet(
            bootTime: "6s", lead: "10m", margin: "2s", extraController: "lease = \"3s\"",
            extraRoles: "\n[daemon]\ninterval = \"1s\"\nwatch = \"200ms\"")
        atEnd { await fleet.cleanUp() }

        let first = try fleet.start("daemon")
        try await first.waitForOutput("daemon: leading fleet t")
        let second = try fleet.start("daemon")
        try await second.waitForOutput("daemon: standing by: the daemon (pid \(first.pid) on ")

        // An event whose window is open now: the leader acts, the standby does not.
        let start = Date().addingTimeInterval(120).rounded()
        #expect(try await fleet.run("calendar", "add", "--name", "Final", "--start", TimeText.iso(start), "--end", TimeText.iso(start + 3600)).status == 0)
        try await first.waitForOutput("frontal: creating 3 nodes")
        first.signal(SIGKILL)
        let killed = try await first.finish()
        #expect(killed.signal == SIGKILL)
        #expect(!second.stdout.contains("creating"), "the standby changed nothing while the leader lived")

        // Within the lease (3 s) plus a renewal (1 s), the standby leads and completes the fleet.
        try await second.waitForOutput("frontal: 3/3 ready", timeout: .seconds(60))
        try await second.waitForOutput("reconcile: done", timeout: .seconds(30))
        let nodes = try await fleet.nodes(at: TimeText.iso(Date()))
        #expect(nodes["frontal"]?.count == 3 && nodes["celery"]?.count == 2, "\(nodes)")
        let names = nodes.values.flatMap { $0.map(\.name) }
        #expect(Set(names).count == names.count, "no duplicates: \(names)")

        let status = try await fleet.run("status", "--json")
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let leader = json?["leader"] as? [String: Any]
        #expect((leader?["holder"] as? String)?.hasPrefix("pid \(second.pid) on ") == true, "\(status.stdout)")
        #expect((leader?["epoch"] as? Int) == 2, "the takeover raised the epoch: \(status.stdout)")
        #expect(try await fleet.run("up").status == 3, "a one-shot command is refused while the daemon leads")

        second.signal(SIGTERM)
        let stopped = try await second.finish(timeout: .seconds(30))
        #expect(stopped.stderr.contains("took the lead of fleet t from the daemon (pid \(first.pid) on "), "\(stopped.stderr)")
        #expect(stopped.status == 0)
        // Given up on a graceful stop: a one-shot command may lead at once.
        let down = try await fleet.run("down", "--force")
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.nodes(at: TimeText.iso(Date())).values.allSatisfy(\.isEmpty), "nothing left billing")
    }

    @Test func aLeaderKilledInTheMiddleOfTearingDownLeavesNothingBilling() async throws {
        let fleet = try TestFleet(
            lead: "10m", margin: "1s", extraController: "lease = \"3s\"", extraRoles: "\n[daemon]\ninterval = \"1s\"\nwatch = \"200ms\"")
        atEnd { await fleet.cleanUp() }
        // The leader kills itself (SIGKILL) as it starts deleting the second node of the teardown.
        let first = try fleet.start("daemon", environment: ["SCALECTL_CRASH_AT": "delete:2", "SCALECTL_CRASH_ARMED": "yes"])
        try await first.waitForOutput("daemon: leading fleet t")
        let second = try fleet.start("daemon")
        try await second.waitForOutput("daemon: standing by")

        // A short event whose window is open now: the leader builds the fleet, then tears it down.
        let end = Date().addingTimeInterval(12).rounded()
        #expect(try await fleet.run("calendar", "add", "--name", "Flash", "--start", TimeText.iso(end - 6), "--end", TimeText.iso(end)).status == 0)
        try await first.waitForOutput("reconcile: done", timeout: .seconds(60))
        let killed = try await first.finish(timeout: .seconds(60))
        #expect(killed.signal == SIGKILL && killed.stdout.contains("tearing down"), "\(killed)")

        // The standby takes the lead and finishes the teardown; the provider lists nothing of the fleet.
        try await second.waitForOutput("none left", timeout: .seconds(60))
        #expect(try await fleet.nodes(at: TimeText.iso(Date())).values.allSatisfy(\.isEmpty), "nothing left billing")
        #expect(!second.stdout.contains("creating"), "the standby created nothing")
        second.signal(SIGTERM)
        #expect(try await second.finish(timeout: .seconds(30)).status == 0)
    }
}
