import Foundation
import GRDB
import ScaleCore
import ScaleTesting
import Testing

/// Two daemons on one state database (a SQLite file, or PostgreSQL) and one (sim) cloud: one leads, one
/// stands by; the leader is killed with SIGKILL while it creates nodes or tears them down, and the
/// standby takes the lead and finishes the job.
@Suite(.serialized, .awaitsCleanup)
struct FailoverTests {
    enum State: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    /// A fleet whose state is in `state`, and the environment its commands need.
    static func fleet(_ state: State, bootTime: String = "300ms") async throws -> (TestFleet, [String: String]) {
        let fleet = try TestFleet(
            bootTime: bootTime, lead: "10m", margin: "1s", extraController: "lease = \"3s\"",
            extraRoles: "\n[daemon]\ninterval = \"1s\"\nwatch = \"200ms\"")
        atEnd { await fleet.cleanUp() }
        guard state == .postgres else { return (fleet, [:]) }
        try fleet.keepState(in: try await TestPostgres.database())
        return (fleet, TestPostgres.environment)
    }

    @Test(arguments: State.allCases)
    func theStandbyTakesOverAKilledLeaderInTheMiddleOfCreatingAndCompletesTheFleet(_ state: State) async throws {
        // Servers take 6 s to boot, so the leader is still waiting for them when it is killed.
        let (fleet, environment) = try await Self.fleet(state, bootTime: "6s")

        let first = try fleet.start("daemon", environment: environment)
        atEnd { first.killIfRunning() }
        try await first.waitForOutput("daemon: leading fleet t")
        let second = try fleet.start("daemon", environment: environment)
        atEnd { second.killIfRunning() }
        try await second.waitForOutput("daemon: standing by: the daemon (pid \(first.pid) on ")
        let before = try await fleet.run("status", environment: environment)
        #expect(before.stdout.contains("leader: the daemon, pid \(first.pid) on "), "\(before)")
        #expect(before.stdout.contains("standby: the daemon, pid \(second.pid) on "), "\(before)")

        // An event whose window is open now: the leader acts, the standby does not.
        let start = Date().addingTimeInterval(120).rounded()
        #expect(try await fleet.run("calendar", "add", "--name", "Final", "--start", TimeText.iso(start), "--end", TimeText.iso(start + 3600), environment: environment).status == 0)
        try await first.waitForOutput("frontal: creating 3 nodes")
        first.signal(SIGKILL)
        let killed = try await first.finish()
        #expect(killed.signal == SIGKILL)
        #expect(!second.stdout.contains("creating"), "the standby changed nothing while the leader lived")

        // Within the lease (3 s) plus a renewal (1 s), the standby leads and completes the fleet.
        try await second.waitForOutput("frontal: 3/3 ready", timeout: .seconds(60))
        try await second.waitForOutput("reconcile: done", timeout: .seconds(30))
        let nodes = try await fleet.nodes(at: TimeText.iso(Date()), environment: environment)
        #expect(nodes["frontal"]?.count == 3 && nodes["celery"]?.count == 2, "\(nodes)")
        let names = nodes.values.flatMap { $0.map(\.name) }
        #expect(Set(names).count == names.count, "no duplicates: \(names)")

        let status = try await fleet.run("status", "--json", environment: environment)
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let leader = json?["leader"] as? [String: Any]
        #expect((leader?["holder"] as? String)?.hasPrefix("pid \(second.pid) on ") == true, "\(status.stdout)")
        #expect((leader?["epoch"] as? Int) == 2, "the takeover raised the epoch: \(status.stdout)")
        #expect(try await fleet.run("up", environment: environment).status == 3, "a one-shot command is refused while the daemon leads")

        second.signal(SIGTERM)
        let stopped = try await second.finish(timeout: .seconds(30))
        #expect(stopped.stderr.contains("took the lead of fleet t from the daemon (pid \(first.pid) on "), "\(stopped.stderr)")
        #expect(stopped.status == 0)
        // Given up on a graceful stop: a one-shot command may lead at once.
        let down = try await fleet.run("down", "--force", environment: environment)
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.nodes(at: TimeText.iso(Date()), environment: environment).values.allSatisfy(\.isEmpty), "nothing left billing")
    }

    @Test(arguments: State.allCases)
    func aLeaderKilledInTheMiddleOfTearingDownLeavesNothingBilling(_ state: State) async throws {
        let (fleet, environment) = try await Self.fleet(state)
        // The leader kills itself (SIGKILL) as it starts deleting the second node of the teardown.
        let first = try fleet.start("daemon", environment: environment.merging(["SCALECTL_CRASH_AT": "delete:2", "SCALECTL_CRASH_ARMED": "yes"]) { $1 })
        atEnd { first.killIfRunning() }
        try await first.waitForOutput("daemon: leading fleet t")
        let second = try fleet.start("daemon", environment: environment)
        atEnd { second.killIfRunning() }
        try await second.waitForOutput("daemon: standing by")

        // A short event whose window is open now: the leader builds the fleet, then tears it down.
        let end = Date().addingTimeInterval(12).rounded()
        #expect(try await fleet.run("calendar", "add", "--name", "Flash", "--start", TimeText.iso(end - 6), "--end", TimeText.iso(end), environment: environment).status == 0)
        try await first.waitForOutput("reconcile: done", timeout: .seconds(60))
        let killed = try await first.finish(timeout: .seconds(60))
        #expect(killed.signal == SIGKILL && killed.stdout.contains("tearing down"), "\(killed)")

        // The standby takes the lead and finishes the teardown; the provider lists nothing of the fleet.
        try await second.waitForOutput("none left", timeout: .seconds(60))
        #expect(try await fleet.nodes(at: TimeText.iso(Date()), environment: environment).values.allSatisfy(\.isEmpty), "nothing left billing")
        #expect(!second.stdout.contains("creating"), "the standby created nothing")
        second.signal(SIGTERM)
        #expect(try await second.finish(timeout: .seconds(30)).status == 0)
    }

    /// Servers the sim cloud was ever asked to create: its own state file (beside the configuration when
    /// the state is in PostgreSQL), readable whatever the state database's health.
    static func creates(_ fleet: TestFleet) throws -> Int {
        try DatabaseQueue(path: fleet.directory.file("scalectl-sim.sqlite")).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM simServer") ?? 0 }
    }

    @Test func aLeaderCutOffFromTheDatabaseStopsActingAndTheFleetConvergesWhenItIsBack() async throws {
        let (fleet, environment) = try await Self.fleet(.postgres, bootTime: "4s")
        let database = try String(contentsOfFile: fleet.config, encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("database = ") }.map { String($0.split(separator: "/").last?.dropLast() ?? "") } ?? ""
        let first = try fleet.start("daemon", environment: environment)
        atEnd { first.killIfRunning() }
        try await first.waitForOutput("daemon: leading fleet t")
        let second = try fleet.start("daemon", environment: environment)
        atEnd { second.killIfRunning() }
        try await second.waitForOutput("daemon: standing by")

        let start = Date().addingTimeInterval(120).rounded()
        #expect(try await fleet.run("calendar", "add", "--name", "Final", "--start", TimeText.iso(start), "--end", TimeText.iso(start + 3600), environment: environment).status == 0)
        try await first.waitForOutput("frontal: creating 3 nodes")

        // The database refuses every connection, and the open ones are cut: both controllers are cut off.
        try await TestPostgres.sql("ALTER DATABASE \(database) ALLOW_CONNECTIONS false")
        try await TestPostgres.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '\(database)'")
        // The leader cannot renew and says when its lease runs out; the standby cannot take over either.
        try await first.waitForError("cannot renew the leader lease of fleet t", timeout: .seconds(30))
        try await second.waitForError("cannot renew the leader lease of fleet t", timeout: .seconds(30))
        let said = first.stderr.components(separatedBy: "stops acting when its lease runs out at ").dropFirst().first?.prefix(20) ?? ""
        let expiry = try #require(try? Date(String(said), strategy: .iso8601), "no expiry in: \(first.stderr)")
        // Longer than the lease: past its expiry the leader changes nothing more, whatever it was doing.
        try await Self.waitUntil(expiry + 0.5)
        let cut = try Self.creates(fleet)
        try await Self.waitUntil(expiry + 2)
        let during = try Self.creates(fleet)
        #expect(during == cut, "no server was created after the leader's lease ran out (\(cut) then \(during))")

        try await TestPostgres.sql("ALTER DATABASE \(database) ALLOW_CONNECTIONS true")
        // One leader again, and the fleet converges: exactly the configured nodes, none twice.
        let leader = try await Self.waitForOne(first, second, "frontal: 3/3 ready")
        try await leader.waitForOutput("reconcile: done", timeout: .seconds(30))
        let nodes = try await fleet.nodes(at: TimeText.iso(Date()), environment: environment)
        #expect(nodes["frontal"]?.count == 3 && nodes["celery"]?.count == 2, "\(nodes)")
        let names = nodes.values.flatMap { $0.map(\.name) }
        #expect(Set(names).count == names.count, "no duplicates: \(names)")
        let status = try await fleet.run("status", environment: environment)
        #expect(status.stdout.components(separatedBy: "leader: the daemon, pid ").count == 2, "one leader: \(status.stdout)")

        for daemon in [first, second] { daemon.signal(SIGTERM) }
        for daemon in [first, second] { #expect(try await daemon.finish(timeout: .seconds(30)).status == 0) }
        #expect(try await fleet.run("down", "--force", environment: environment).status == 0)
    }

    /// Waits for the wall clock to pass `instant`: the subject here is time itself (a lease running out).
    static func waitUntil(_ instant: Date) async throws {
        while Date() < instant { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// The one of two daemons whose stdout comes to hold `text` first.
    static func waitForOne(_ a: CLIProcess, _ b: CLIProcess, _ text: String, timeout: Duration = .seconds(90)) async throws -> CLIProcess {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let done = [a, b].first(where: { $0.stdout.contains(text) }) { return done }
            try await Task.sleep(for: .milliseconds(50))  // polling output, as waitForOutput does
        }
        Issue.record("neither daemon printed \"\(text)\" within \(timeout):\n\(a.stdout)\n---\n\(b.stdout)")
        throw CancellationError()
    }
}
