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

    /// What a scenario left behind, read before its directory goes: the runs' output (with `--verbose`
    /// logs), the sim's fault counters, and the journal's failed steps.
    struct Outcome {
        var up: CLIResult
        var down: CLIResult
        var counters: [String: Int]
        /// The error of every failed step of `up`, in order.
        var failedSteps: [String]

        /// The waits `up` (or `down`) logged before retrying a call that failed with `code`.
        func retries(_ code: String, in result: KeyPath<Outcome, CLIResult> = \.up) -> [Duration] {
            self[keyPath: result].stderr.split(separator: "\n")
                .filter { $0.contains("Provider call failed; retrying") && $0.contains("error.code=\(code) ") }
                .compactMap { line in
                    line.split(separator: " ").first { $0.hasPrefix("retry.wait=") }
                        .flatMap { DurationText.parse(String($0.dropFirst("retry.wait=".count))) }
                }
        }

        /// Every failure of `up` with `code` the controller saw and got past: retried calls, and creates
        /// it looked up and tried again (journaled as failed steps).
        func survived(_ code: String) -> Int {
            retries(code).count + failedSteps.filter { $0.contains(code) }.count
        }
    }

    /// Adds the event, runs `up`, checks it, tears down and checks nothing is left.
    static func scenario(
        faults: String, controller: String = "", within: String = "20s", frontalKeys: String = "",
        expectUp: Int32, upSays: [String]
    ) async throws -> Outcome {
        let fleet = try TestFleet(
            within: within, frontalKeys: frontalKeys, extraProvider: "\n[provider.faults]\n" + faults, extraController: controller)
        defer { fleet.directory.remove() }
        #expect(try await fleet.run("calendar", "add", "--name", "Gala", "--start", "2026-11-23 21:00", "--end", "2026-11-23 23:00").status == 0)
        let up = try await fleet.run("up", "--verbose", "--at", during)
        #expect(up.status == expectUp, "\(up)")
        for text in upSays { #expect((up.stdout + up.stderr).contains(text), "missing \"\(text)\" in \(up)") }
        let failedSteps = try failedSteps(database: fleet.database)
        let down = try await fleet.run("down", "--force", "--verbose", "--at", during)
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.nodes(at: during).values.allSatisfy(\.isEmpty), "nothing owned is left")
        return Outcome(up: up, down: down, counters: try counters(database: fleet.simState), failedSteps: failedSteps)
    }

    @Test func aBurstOf5xxIsRetried() async throws {
        let outcome = try await Self.scenario(faults: "server_errors = { after = 2, count = 3 }", expectUp: 0, upSays: ["up: done"])
        #expect(outcome.survived("unavailable") == 3, "each of the 3 answers 503 was seen and got past: \(outcome.up.stderr)")
        #expect(outcome.counters["calls", default: 0] > 5, "the calls went on past the burst")
    }

    @Test func a429WithRetryAfterIsWaitedOut() async throws {
        let outcome = try await Self.scenario(faults: "rate_limited = { after = 1, count = 2, retry_after = \"300ms\" }", expectUp: 0, upSays: ["up: done"])
        let waits = outcome.retries("rate_limit_exceeded")
        #expect(waits.count == 2, "both 429s were retried: \(outcome.up.stderr)")
        #expect(waits.allSatisfy { $0 >= .milliseconds(300) }, "Retry-After 300ms outlasts the 200ms backoff cap: \(waits)")
    }

    @Test func timeoutsAreRetried() async throws {
        let outcome = try await Self.scenario(faults: "timeouts = { after = 3, count = 2, delay = \"200ms\" }", expectUp: 0, upSays: ["up: done"])
        #expect(outcome.survived("timeout") == 2, "both calls left without an answer were seen and got past: \(outcome.up.stderr)")
    }

    @Test func aCreateFailingForSomeNodesFailsClearly() async throws {
        let outcome = try await Self.scenario(
            // A refusal that no other server type or place would change (a sold-out answer is a fallback: NoRoomTests).
            faults: "create_errors = { \"t-frontal-1-2\" = \"invalid_input\" }", expectUp: 1,
            upSays: ["1 of 3 frontal nodes could not be created", "t-frontal-1-2: invalid_input", "2 servers of these names exist", "up: FAILED"])
        #expect(outcome.failedSteps.contains { $0.contains("invalid_input") }, "the refused create is journaled: \(outcome.failedSteps)")
    }

    @Test func aNodeThatNeverGetsReadyIsReplacedOnce() async throws {
        let outcome = try await Self.scenario(
            faults: "dead_boots = { \"t-frontal-1-2\" = 1 }", within: "8s", expectUp: 0,
            upSays: ["frontal: replacing t-frontal-1-2", "replaced 1", "up: done"])
        #expect(outcome.counters["boots:t-frontal-1-2"] == 2, "a dead boot, then a good one")
    }

    @Test func aNodeThatNeverGetsReadyAfterReplacementFailsTheGate() async throws {
        let outcome = try await Self.scenario(
            faults: "dead_boots = { \"t-frontal-1-2\" = 5 }", within: "8s", expectUp: 1,
            upSays: ["frontal: replacing t-frontal-1-2", "1 of 3 frontal nodes not ready within 8s", "t-frontal-1-2", "Step: probe (role frontal)"])
        #expect(outcome.counters["boots:t-frontal-1-2"] == 2, "booted dead twice: the first node and its one replacement")
    }

    @Test func minReadyLetsADegradedRoleGoOnWithAWarning() async throws {
        let outcome = try await Self.scenario(
            faults: "dead_boots = { \"t-frontal-1-3\" = 5 }", controller: "replace_limit = 0", within: "8s",
            frontalKeys: "min_ready = 2", expectUp: 0,
            upSays: ["warning: frontal: 1 of 3 frontal nodes not ready within 8s; going on with 2, as min_ready 2 allows", "degraded"])
        #expect(outcome.counters["boots:t-frontal-1-3"] == 1, "booted dead once, not replaced")
    }

    @Test func aPassingLoadBalancerConflictIsRetried() async throws {
        let outcome = try await Self.scenario(faults: "attach_failures = 2", expectUp: 0, upSays: ["up: done"])
        #expect(outcome.retries("conflict").count == 2, "\(outcome.up.stderr)")
        #expect(outcome.counters["faults:attach"] == 3, "two refused attaches, then the one that held")
    }

    @Test func aLastingLoadBalancerErrorFailsClearly() async throws {
        let outcome = try await Self.scenario(
            faults: "attach_failures = 1\nattach_error = \"load_balancer_not_attached_to_network\"", expectUp: 1,
            upSays: ["attach", "load_balancer_not_attached_to_network", "the load balancer refused the targets"])
        #expect(outcome.counters["faults:attach"] == 1, "a lasting refusal is not retried")
    }

    @Test func deletesThatFailThenSucceedConverge() async throws {
        let outcome = try await Self.scenario(faults: "delete_failures = 2", expectUp: 0, upSays: ["up: done"])
        #expect(outcome.retries("unavailable", in: \.down).count == 2, "\(outcome.down.stderr)")
        #expect(outcome.counters["faults:delete"] == 7, "5 deletes and the 2 that failed once")
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

    /// The errors of the failed steps of run 1, in order.
    static func failedSteps(database: String) throws -> [String] {
        try DatabaseQueue(path: database).read { db in
            try String.fetchAll(db, sql: "SELECT coalesce(error, '') FROM step WHERE runID = 1 AND outcome = 'failed' ORDER BY id")
        }
    }

    /// Every counter the sim keeps: calls, attach and delete faults, boots per node.
    static func counters(database: String) throws -> [String: Int] {
        try DatabaseQueue(path: database).read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM simCounter").map { ($0["key"] as String, $0["value"] as Int) })
        }
    }
}

