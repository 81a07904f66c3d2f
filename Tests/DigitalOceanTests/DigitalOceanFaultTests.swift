import Foundation
import ScaleTesting
import Testing

/// Passing failures of the API (5xx answers, answers lost after the work was done), seeded: runs are
/// repeated as cron would repeat them, and the fleet converges with no duplicate and nothing left billing.
@Suite(.serialized, .awaitsCleanup)
struct DigitalOceanFaultTests {
    typealias Fleet = DigitalOceanFleet

    @Test(arguments: [(errors: 0.2, lost: 0.0, seed: 1), (errors: 0.1, lost: 0.1, seed: 2)])
    func theFleetConvergesThroughServerErrorsAndLostAnswers(_ c: (errors: Double, lost: Double, seed: Int)) async throws {
        let fleet = try await Fleet.start()
        atEnd { await fleet.stop() }
        try await fleet.fake.faults(["seed": c.seed, "error_rate": c.errors, "lost_rate": c.lost])
        var ups: [CLIResult] = []
        while ups.last?.status != 0 && ups.count < 4 { ups.append(try await fleet.run("up", "--at", Fleet.during)) }
        #expect(ups.last?.status == 0, "\(ups)")
        let names = try await fleet.dropletNames()
        #expect(names == ["t-celery-1-1", "t-celery-1-2", "t-frontal-1-1", "t-frontal-1-2", "t-frontal-1-3"], "each node once: \(names)")
        var downs: [CLIResult] = []
        while downs.last?.status != 0 && downs.count < 4 { downs.append(try await fleet.run("down", "--at", Fleet.after)) }
        #expect(downs.last?.status == 0, "\(downs)")
        #expect(try await fleet.dropletNames().isEmpty, "nothing left billing")
        let stats = try await fleet.stats()
        #expect((stats["5xx"] ?? 0) > 0 && (c.lost == 0 || (stats["lost"] ?? 0) > 0), "the faults were served: \(stats)")
        try fleet.expectNoToken(ups + downs)
    }
}
