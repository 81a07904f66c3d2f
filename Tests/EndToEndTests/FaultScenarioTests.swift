import Foundation
import GRDB
import ScaleCore
import ScaleProviders
import ScaleStore
import ScaleTesting
import Testing

/// Provider faults through the sim's knobs: each converges, or fails with a clear message and exit 1;
/// after `down`, nothing owned is left.
struct FaultScenarioTests {
    static let during = LifecycleTests.during

    /// Adds the event, runs `up`, checks it, tears down and checks nothing is left.
    static func scenario(
        faults: String, controller: String = "", within: String = "20s", frontalKeys: String = "",
        expectUp: Int32, upSays: [String]
    ) async throws -> CLIResult {
        let fleet = try TestFleet(
            within: within, frontalKeys: frontalKeys, extraProvider: "\n[provider.faults]\n" + faults, extraController: controller)
        defer { fleet.directory.remove() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let up = try await fleet.run("up", "--at", during)
        #expect(up.status == expectUp, "\(up)")
        for text in upSays { #expect((up.stdout + up.stderr).contains(text), "missing \"\(text)\" in \(up)") }
        let down = try await fleet.run("down", "--force", "--at", during)
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.nodes(at: during).values.allSatisfy(\.isEmpty), "nothing owned is left")
        return up
    }

    @Test func aBurstOf5xxIsRetried() async throws {
        _ = try await Self.scenario(faults: "server_errors = { after = 2, count = 3 }", expectUp: 0, upSays: ["up: done"])
    }

    @Test func a429WithRetryAfterIsWaitedOut() async throws {
        _ = try await Self.scenario(faults: "rate_limited = { after = 1, count = 2, retry_after = \"300ms\" }", expectUp: 0, upSays: ["up: done"])
    }

    @Test func timeoutsAreRetried() async throws {
        _ = try await Self.scenario(faults: "timeouts = { after = 3, count = 2, delay = \"200ms\" }", expectUp: 0, upSays: ["up: done"])
    }

    @Test func aCreateFailingForSomeNodesFailsClearly() async throws {
        _ = try await Self.scenario(
            faults: "create_errors = { \"t-frontal-1-2\" = \"resource_unavailable\" }", expectUp: 1,
            upSays: ["1 of 3 frontal nodes could not be created", "t-frontal-1-2: resource_unavailable", "kept the 2 created", "up: FAILED"])
    }

    @Test func aNodeThatNeverGetsReadyIsReplacedOnce() async throws {
        _ = try await Self.scenario(
            faults: "dead_boots = { \"t-frontal-1-2\" = 1 }", within: "2s", expectUp: 0,
            upSays: ["frontal: replacing t-frontal-1-2", "replaced 1", "up: done"])
    }

    @Test func aNodeThatNeverGetsReadyAfterReplacementFailsTheGate() async throws {
        _ = try await Self.scenario(
            faults: "dead_boots = { \"t-frontal-1-2\" = 5 }", within: "1s", expectUp: 1,
            upSays: ["frontal: replacing t-frontal-1-2", "1 of 3 frontal nodes not ready within 1s", "t-frontal-1-2", "Step: probe (role frontal)"])
    }

    @Test func minReadyLetsADegradedRoleGoOnWithAWarning() async throws {
        _ = try await Self.scenario(
            faults: "dead_boots = { \"t-frontal-1-3\" = 5 }", controller: "replace_limit = 0", within: "1s",
            frontalKeys: "min_ready = 2", expectUp: 0,
            upSays: ["warning: frontal: 1 of 3 frontal nodes not ready within 1s; going on with 2, as min_ready 2 allows", "degraded"])
    }

    @Test func aPassingLoadBalancerConflictIsRetried() async throws {
        _ = try await Self.scenario(faults: "attach_failures = 2", expectUp: 0, upSays: ["up: done"])
    }

    @Test func aLastingLoadBalancerErrorFailsClearly() async throws {
        _ = try await Self.scenario(
            faults: "attach_failures = 1\nattach_error = \"load_balancer_not_attached_to_network\"", expectUp: 1,
            upSays: ["attach", "load_balancer_not_attached_to_network", "the load balancer refused the targets"])
    }

    @Test func deletesThatFailThenSucceedConverge() async throws {
        _ = try await Self.scenario(faults: "delete_failures = 2", expectUp: 0, upSays: ["up: done"])
    }

    @Test func theCircuitBreakerStopsCallingAFailingProvider() async throws {
        let fleet = try TestFleet(extraProvider: "breaker_after = 4\n[provider.faults]\nserver_errors = { after = 0, count = 100000 }")
        defer { fleet.directory.remove() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let up = try await fleet.run("up", "--at", Self.during)
        #expect(up.status == 1)
        #expect(up.stderr.contains("stopped calling sim after 4 consecutive failed calls"), "\(up.stderr)")
        let calls = try Self.counter("calls", database: fleet.simState)
        #expect(calls == 4, "no call after the breaker opened, made \(calls)")
    }

    static func counter(_ key: String, database: String) throws -> Int {
        try DatabaseQueue(path: database).read { db in try Int.fetchOne(db, sql: "SELECT value FROM simCounter WHERE key = ?", arguments: [key]) ?? 0 }
    }
}

