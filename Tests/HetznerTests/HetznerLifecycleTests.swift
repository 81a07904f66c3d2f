import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Synchronization
import Testing

/// Going down (shutdown, power-off, delete) and staying inside the request budget.
@Suite(.serialized, .awaitsCleanup)
struct HetznerLifecycleTests {
    /// Two running nodes of fleet `t`, as the provider lists them.
    static func twoNodes(_ fake: FakeHetzner) async throws -> [Node] {
        let image = try await HetznerProviderTests.image(fake)
        let provider = fake.provider()
        for name in ["t-celery-1-1", "t-celery-1-2"] {
            _ = try await provider.createNode(HetznerProviderTests.spec(name, role: "celery", image: image))
        }
        return try await provider.listNodes()
    }

    @Test func deleteWaitsForItsActionAndAGoneServerIsNoError() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let nodes = try await Self.twoNodes(fake)
        let provider = fake.provider()
        try await provider.deleteNode(nodes[0])
        #expect(try await fake.servers().keys.sorted() == ["t-celery-1-2"], "deleteNode returns once the server is gone")
        try await provider.deleteNode(nodes[0])
        let requests = try await fake.requests()
        #expect(requests.filter { $0.is("DELETE", "/v1/servers/\(nodes[0].id)") }.map(\.status) == [200, 404])
    }

    @Test func aServerWithoutTheFleetLabelIsNeverTouched() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        try await fake.seed(["servers": [["name": "t-celery-1-1", "labels": ["scalectl-fleet": "other"]]]])
        let stranger = try #require(try await fake.provider().node(named: "t-celery-1-1"))
        let provider = fake.provider()
        for attempt in [{ try await provider.deleteNode(stranger) }, { try await provider.shutDown(stranger) }] {
            let error = await #expect(throws: ProviderError.self) { try await attempt() }
            #expect(error?.code == "not_owned")
        }
        #expect(try await fake.requests().allSatisfy { $0.method == "GET" })
    }

    @Test func shutdownIsGracefulAndPowersOffAServerThatIgnoresIt() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let nodes = try await Self.twoNodes(fake)
        try await fake.faults(["ignore_shutdown": ["t-celery-1-2"]])
        // The fake powers a server off 0.1 s after its shutdown action; 2 s of patience leaves a loaded
        // machine room, and the server that ignores the request costs the test those 2 s.
        let provider = fake.provider { $0.shutdownTimeout = .seconds(2) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes { group.addTask { try await provider.shutDown(node) } }
            try await group.waitForAll()
        }
        #expect(try await fake.servers() == ["t-celery-1-1": "off", "t-celery-1-2": "off"])
        let requests = try await fake.requests()
        #expect(requests.count("POST", "/v1/servers/\(nodes[0].id)/actions/shutdown") == 1)
        #expect(requests.count("POST", "/v1/servers/\(nodes[0].id)/actions/poweroff") == 0, "the first one shut down by itself")
        #expect(requests.count("POST", "/v1/servers/\(nodes[1].id)/actions/poweroff") == 1, "the second one was powered off")
        #expect(requests.filter { $0.is("POST", matching: "/v1/servers/[0-9]+/actions/.*") }.allSatisfy { $0.body == nil })
    }

    @Test func a429SaysHowLongToWaitAndTheBudgetIsKept() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let provider = fake.provider()
        _ = try await provider.listNodes()
        let before = try #require(await provider.rateLimitState())
        #expect(before.limit == 3600 && before.remaining > 3500)

        try await fake.faults(["rate_limit": ["limit": 5, "remaining": 0, "per_second": 2], "retry_after": 3])
        let told = await #expect(throws: ProviderError.self) { try await provider.listNodes() }
        #expect(told?.code == "rate_limit_exceeded" && told?.status == 429)
        #expect(told?.retry == .yes(after: .seconds(3)), "Retry-After is passed on")
        let state = try #require(await provider.rateLimitState())
        #expect(state.limit == 5 && state.remaining == 0 && state.reset > Date())

        try await fake.faults(["rate_limit": ["limit": 5, "remaining": 0, "per_second": 2], "retry_after": NSNull()])
        let guessed = await #expect(throws: ProviderError.self) { try await provider.listNodes() }
        guard case .yes(let after?) = guessed?.retry else { Issue.record("no wait in \(String(describing: guessed))"); return }
        #expect(after >= .seconds(1) && after <= .seconds(3), "one request's refill from the RateLimit headers, not the full reset: \(after)")
    }

    @Test func callsArePacedFromTheHeadersOfEveryAnswer() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let provider = fake.provider()
        // 4 requests left, refilling one every 2 s: the budget runs low within the next calls.
        try await fake.faults(["rate_limit": ["limit": 20, "remaining": 4, "per_second": 0.5]])
        _ = try await provider.listNodes()
        let clock = NoWaitClock()
        let calls = ProviderCalls(
            provider: "hetzner", policy: .init(maxAttempts: 1, breakerThreshold: 100), clock: clock,
            logger: TestTools.quietLogger, rateLimit: provider, reserve: 2)
        for _ in 0..<3 { _ = try await calls.call("list", "list nodes") { try await provider.listNodes() } }
        let waits = clock.slept.withLock { $0 }
        #expect(!waits.isEmpty, "calls waited once the budget reached the reserve: \(waits)")
        #expect(waits.allSatisfy { $0 >= .seconds(1) }, "about one refill each: \(waits)")
        #expect(await calls.pacedFor > .zero)
        #expect(!(try await fake.requests().map(\.status).contains(429)))
    }
}

/// Real time for `now()`; sleeps are recorded and return at once.
final class NoWaitClock: ScaleClock {
    let slept = Mutex<[Duration]>([])
    func now() -> Date { Date() }
    func sleep(for duration: Duration) async throws { slept.withLock { $0.append(duration) } }
}
