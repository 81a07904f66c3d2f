import Foundation
import ScaleTesting
import Testing

/// The randomized fault campaign of issue 17: 5xx at 5, 10, 20 and 35 % with lost answers, fleets of
/// 3+2, 5+5 and 10+10, a request budget tight enough to pace, each seed run to convergence.
///
/// `make test` runs one seed per case; `SCALECTL_CAMPAIGN_SEEDS=N` runs N (see `make campaign`).
/// Each case prints one line of figures, as docs/reliability.md records them.
@Suite(.serialized)
struct HetznerCampaignTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var errorRate: Double
        var frontal: Int
        var celery: Int
        var testDescription: String { "5xx \(Int(errorRate * 100)) % on \(frontal)+\(celery)" }
    }

    static let cases: [Case] = [0.05, 0.10, 0.20, 0.35].flatMap { rate in
        [(3, 2), (5, 5), (10, 10)].map { Case(errorRate: rate, frontal: $0.0, celery: $0.1) }
    }

    static var seeds: [Int] {
        let count = Int(ProcessInfo.processInfo.environment["SCALECTL_CAMPAIGN_SEEDS"] ?? "") ?? 1
        return Array(1...max(1, count))
    }

    /// Runs `command` until it exits 0, at most `limit` times; the number of runs it took.
    static func converge(_ limit: Int, _ command: () async throws -> CLIResult) async throws -> (runs: Int, last: CLIResult) {
        var last = try await command()
        var runs = 1
        while last.status != 0 && runs < limit {
            last = try await command()
            runs += 1
        }
        return (runs, last)
    }

    /// The scenario's fleet on a fake serving its 5xx share and 2 % lost answers, drawn from `seed`, with
    /// a request budget of 60 refilling 40 a second.
    static func fleet(_ scenario: Case, seed: Int) async throws -> FaultFleet {
        try await FaultFleet.start(frontal: scenario.frontal, celery: scenario.celery, faults: [
            "seed": seed, "error_rate": scenario.errorRate, "lost_rate": 0.02,
            "rate_limit": ["limit": 60, "remaining": 60, "per_second": 40],
        ])
    }

    @Test(arguments: cases)
    func aSeededFaultyEveningConverges(_ scenario: Case) async throws {
        for seed in Self.seeds {
            let fleet = try await Self.fleet(scenario, seed: seed)
            let up = try await Self.converge(8) { try await fleet.up() }
            #expect(up.last.status == 0, "seed \(seed): up converges: \(up.last)")
            let afterUp = try await fleet.servers()
            let duplicates = afterUp.count - Set(afterUp.map(\.name)).count + max(0, afterUp.count - scenario.frontal - scenario.celery)
            let firstDown = try await fleet.down()
            let billing = try await fleet.servers().count
            var downRuns = 1
            var lastDown = firstDown
            while lastDown.status != 0 && downRuns < 8 {
                lastDown = try await fleet.down()
                downRuns += 1
            }
            #expect(lastDown.status == 0, "seed \(seed): down converges: \(lastDown)")
            let orphans = try await fleet.servers().count
            let stats = try await fleet.stats()
            print("campaign: \(scenario.testDescription) seed \(seed): up runs \(up.runs), down runs \(downRuns), 429s \(stats["429", default: 0]), 5xx \(stats["5xx", default: 0]), lost \(stats["lost", default: 0]), requests \(stats["requests", default: 0]), billing after first down \(billing), duplicates \(duplicates), orphans \(orphans)")
            if scenario.errorRate <= 0.20 {
                #expect(up.runs == 1 && downRuns == 1, "seed \(seed): the first up and the first down succeed at \(scenario.testDescription)")
                #expect(billing == 0, "seed \(seed): nothing billing after the first down")
            }
            #expect(stats["429", default: 0] == 0, "seed \(seed): the budget allows pacing, so no 429")
            #expect(duplicates == 0 && orphans == 0, "seed \(seed)")
            await fleet.stop()
        }
    }

    /// The kill -9 campaign: each seed kills `up` twice and `down` once at a request drawn from the seed
    /// (before it is carried out, or after and before its answer), under the same faults; the re-runs
    /// converge with no duplicate, no orphan, the ledger matching the provider and no run left running.
    static let killCases: [Case] = [0.10, 0.35].flatMap { rate in
        [(3, 2), (10, 10)].map { Case(errorRate: rate, frontal: $0.0, celery: $0.1) }
    }

    @Test(arguments: killCases)
    func aKilledFaultyEveningConverges(_ scenario: Case) async throws {
        for seed in Self.seeds {
            let fleet = try await Self.fleet(scenario, seed: seed)
            var kills = 0
            for within in [12, 6] {
                let killed = try await fleet.killed(within: within, "up", "--at", FaultFleet.during)
                kills += killed.signal == SIGKILL ? 1 : 0
                if killed.signal != SIGKILL { print("campaign: not killed: \(killed)") }
            }
            let up = try await Self.converge(8) { try await fleet.up() }
            #expect(up.last.status == 0, "seed \(seed): up converges after kill -9: \(up.last)")
            let servers = try await fleet.servers().map(\.name)
            #expect(Set(servers).count == servers.count && servers.count == scenario.frontal + scenario.celery,
                    "seed \(seed): exactly the configured nodes, none duplicated: \(servers.sorted())")
            let afterUp = try fleet.ledger()
            #expect(Set(afterUp.open) == Set(servers) && afterUp.pending == 0, "seed \(seed): the ledger is the provider's fleet: \(afterUp)")

            let killedDown = try await fleet.killed(within: 6, "down", "--at", FaultFleet.after)
            kills += killedDown.signal == SIGKILL ? 1 : 0
            if killedDown.signal != SIGKILL { print("campaign: not killed: \(killedDown)") }
            let down = try await Self.converge(8) { try await fleet.down() }
            #expect(down.last.status == 0, "seed \(seed): down converges after kill -9: \(down.last)")
            let orphans = try await fleet.servers()
            let afterDown = try fleet.ledger()
            #expect(orphans.isEmpty, "seed \(seed): nothing left billing: \(orphans.map(\.name))")
            #expect(afterDown.open.isEmpty && afterDown.pending == 0, "seed \(seed): the ledger saw every node go: \(afterDown)")
            #expect(try fleet.running() == 0, "seed \(seed): the killed runs and their steps are closed as interrupted")
            let stats = try await fleet.stats()
            #expect(kills == 3 && stats["kills", default: 0] == 3, "seed \(seed): every kill -9 fired (\(kills) seen, \(stats["kills", default: 0]) sent)")
            print("campaign: kill -9 \(scenario.testDescription) seed \(seed): kills \(kills), up runs after the kills \(up.runs), down runs after the kill \(down.runs), requests \(stats["requests", default: 0]), 5xx \(stats["5xx", default: 0]), lost \(stats["lost", default: 0]), duplicates \(servers.count - Set(servers).count), orphans \(orphans.count)")
            await fleet.stop()
        }
    }
}
