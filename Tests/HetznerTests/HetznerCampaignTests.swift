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

    @Test(arguments: cases)
    func aSeededFaultyEveningConverges(_ scenario: Case) async throws {
        for seed in Self.seeds {
            let fleet = try await FaultFleet.start(frontal: scenario.frontal, celery: scenario.celery, faults: [
                "seed": seed, "error_rate": scenario.errorRate, "lost_rate": 0.02,
                "rate_limit": ["limit": 60, "remaining": 60, "per_second": 40],
            ])
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
}
