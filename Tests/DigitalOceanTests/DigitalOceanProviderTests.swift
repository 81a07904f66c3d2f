import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// The provider itself against the fake API, without the executor.
@Suite(.awaitsCleanup)
struct DigitalOceanProviderTests {
    static func provider(_ fake: FakeCloudAPI) -> DigitalOceanCloud {
        let settings = DigitalOceanSettings(
            endpoint: URL(string: "\(fake.base)/v2")!, region: "fra1", perPage: 3, actionPollInterval: .milliseconds(20),
            shutdownTimeout: .milliseconds(300), requestTimeout: .seconds(5), batchWindow: .seconds(1))
        return DigitalOceanCloud(fleet: "t", settings: settings, token: Secret(DigitalOceanFleet.token), clock: SystemClock(), logger: TestTools.quietLogger)
    }

    /// Twelve creates at once go out as two calls, of ten names and of two; each node once, tagged.
    @Test func concurrentCreatesAreBatchedTenAtATime() async throws {
        let fake = try await FakeCloudAPI.start("digitalocean_fake.py", token: DigitalOceanFleet.token)
        atEnd { await fake.stop() }
        try await fake.seed(["snapshots": [["name": "web-1", "regions": ["fra1"]]]])
        let provider = Self.provider(fake)
        let snapshot = try #require(try await provider.newestSnapshot(role: "web", selector: "web-"))
        let names = (1...12).map { "t-web-1-\($0)" }
        let nodes = try await withThrowingTaskGroup(of: Node.self) { group in
            for name in names {
                group.addTask {
                    try await provider.createNode(NodeSpec(name: name, role: "web", serverType: "s-2vcpu-4gb", snapshot: snapshot, labels: [:]))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(nodes.map(\.name)) == Set(names) && nodes.count == 12)
        #expect(nodes.allSatisfy { $0.fleet == "t" && $0.role == "web" && $0.event == "1" }, "ownership read back from the tags and the name")
        let batches = try await fake.requests().filter { $0.is("POST", "/v2/droplets") }.map { ($0.body?["names"] as? [String] ?? []).count }
        #expect(batches.sorted() == [2, 10], "\(batches)")
        let listed = try await provider.listNodes()
        #expect(listed.count == 12, "the fleet tag lists every page")
    }

    /// A create whose answer is lost was carried out: asked again, every name is found ours and none is
    /// created twice.
    @Test func aLostCreateAnswerIsLookedUpNotRepeated() async throws {
        let fake = try await FakeCloudAPI.start("digitalocean_fake.py", token: DigitalOceanFleet.token)
        atEnd { await fake.stop() }
        try await fake.seed(["snapshots": [["name": "web-1", "regions": ["fra1"]]]])
        try await fake.faults(["rules": [["method": "POST", "path": "/v2/droplets", "lost": true, "times": 1]]])
        let provider = Self.provider(fake)
        let snapshot = try #require(try await provider.newestSnapshot(role: "web", selector: "web-"))
        let spec = NodeSpec(name: "t-web-1-1", role: "web", serverType: "s-2vcpu-4gb", snapshot: snapshot, labels: [:])
        let first = await Result(catching: { try await provider.createNode(spec) })
        #expect(throws: ProviderError.self) { try first.get() }
        let again = try await provider.createNode(spec)
        #expect(again.name == "t-web-1-1" && again.fleet == "t")
        #expect(try await fake.requests().count("POST", "/v2/droplets") == 1, "looked up and found, not created again")
        #expect(try await provider.listNodes().count == 1)
    }
}

/// The per-minute limit the headers do not report paces calls by itself, on virtual time.
@Suite(.awaitsCleanup)
struct DigitalOceanMinuteLimitTests {
    /// Fourteen listings: under a limit of 12 a minute (10 kept in reserve) calls wait from the third
    /// on; under 250 none waits. The fake's own limits are never reached.
    @Test(arguments: [(perMinute: 12, paced: true), (perMinute: 250, paced: false)])
    func callsSlowDownBeforeThePerMinuteLimit(_ c: (perMinute: Int, paced: Bool)) async throws {
        let fake = try await FakeCloudAPI.start("digitalocean_fake.py", token: DigitalOceanFleet.token)
        atEnd { await fake.stop() }
        let clock = SteppingClock()
        var settings = DigitalOceanSettings(endpoint: URL(string: "\(fake.base)/v2")!, region: "fra1", requestTimeout: .seconds(5))
        settings.requestsPerMinute = c.perMinute
        let provider = DigitalOceanCloud(fleet: "t", settings: settings, token: Secret(DigitalOceanFleet.token), clock: clock, logger: TestTools.quietLogger)
        let calls = ProviderCalls(provider: "digitalocean", clock: clock, logger: TestTools.quietLogger, rateLimit: provider, reserve: 10)
        for _ in 0..<14 { _ = try await calls.call("list", "list nodes") { try await provider.listNodes() } }
        let paced = await calls.pacedFor
        #expect((paced > .zero) == c.paced, "paced for \(paced)")
        if c.paced { #expect(paced.timeInterval >= 20, "about 5 s a request once the reserve is reached: \(paced)") }
        #expect(try await fake.requests().allSatisfy { $0.status == 200 })
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
