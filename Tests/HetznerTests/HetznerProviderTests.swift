import Foundation
import ScaleCore
import ScaleProviders
import ScaleTesting
import Testing

/// The provider against the fake API: what it sends, how it reads answers, how failures surface.
@Suite(.serialized, .awaitsCleanup)
struct HetznerProviderTests {
    static func spec(_ name: String, role: String = "frontal", image: String, fleet: String = "t") -> NodeSpec {
        NodeSpec(
            name: name, role: role, serverType: role == "frontal" ? "cpx31" : "cpx41",
            snapshot: Snapshot(id: image, name: "\(role)-snapshot", createdAt: Date()),
            labels: [OwnershipLabel.fleet: fleet, OwnershipLabel.role: role, OwnershipLabel.event: "1", OwnershipLabel.run: "7"])
    }

    /// Seeds one available snapshot and returns its id.
    static func image(_ fake: FakeHetzner) async throws -> String {
        let made = try await fake.seed(["images": [["description": "frontal-today", "labels": ["role": "frontal"]]]])
        let id = try #require((made["images"] as? [[String: Any]])?.first?["id"] as? Int)
        return String(id)
    }

    @Test func theNewestAvailableSnapshotIsUsedAndOneStillCreatingIsNot() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        try await fake.seed(["images": [
            ["description": "frontal-monday", "labels": ["role": "frontal"], "created": "2026-11-23T13:00:00+00:00"],
            ["description": "frontal-sunday", "labels": ["role": "frontal"], "created": "2026-11-22T13:00:00+00:00"],
            ["description": "frontal-tuesday", "labels": ["role": "frontal"], "created": "2026-11-24T13:00:00+00:00", "status": "creating"],
            ["description": "celery-tuesday", "labels": ["role": "celery"], "created": "2026-11-24T13:00:00+00:00"],
        ]])
        let provider = fake.provider { $0.perPage = 1 }
        let snapshot = try #require(try await provider.newestSnapshot(role: "frontal", selector: "role=frontal"))
        #expect(snapshot.name == "frontal-monday")
        #expect(snapshot.id == "201")
        #expect(snapshot.createdAt == Date(timeIntervalSince1970: 1_795_438_800))
        #expect(try await provider.newestSnapshot(role: "web", selector: "role=web") == nil)

        let asked = try #require(try await fake.requests().first)
        #expect(asked.is("GET", "/v1/images"))
        #expect(asked.query["type"] == ["snapshot"] && asked.query["status"] == ["available"])
        #expect(asked.query["label_selector"] == ["role=frontal"] && asked.query["sort"] == ["created:desc"])
        #expect(asked.auth == "ok", "the token goes in the Authorization header")
    }

    @Test func listingFollowsEveryPageAndMapsEveryStatus() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let statuses: [(String, NodeState)] = [
            ("initializing", .creating), ("starting", .creating), ("running", .running), ("stopping", .stopping),
            ("off", .off), ("deleting", .deleting), ("migrating", .running), ("rebuilding", .creating), ("unknown", .creating),
        ]
        let servers = statuses.enumerated().map { index, status in
            ["name": "t-frontal-1-\(index + 1)", "status": status.0, "labels": ["scalectl-fleet": "t", "scalectl-role": "frontal"], "networks": [9]] as [String: Any]
        } + [["name": "other-frontal-1-1", "labels": ["scalectl-fleet": "other"]], ["name": "hand-made"]]
        try await fake.seed(["servers": servers])

        let nodes = try await fake.provider { $0.perPage = 4 }.listNodes()
        #expect(nodes.map(\.name) == (1...9).map { "t-frontal-1-\($0)" }, "only this fleet's servers, from every page")
        for (node, expected) in zip(nodes, statuses) {
            #expect(node.state == expected.1 && node.providerStatus == expected.0, "\(expected.0)")
        }
        #expect(nodes[0].privateIP?.hasPrefix("10.0.") == true && nodes[0].publicIP?.hasPrefix("203.0.113.") == true)
        #expect(nodes[0].serverType == "cpx31" && nodes[0].role == "frontal" && nodes[0].createdAt != nil)

        let pages = try await fake.requests().filter { $0.is("GET", "/v1/servers") }
        #expect(pages.map { $0.query["page"] ?? [] } == [["1"], ["2"], ["3"]])
        #expect(pages.allSatisfy { $0.query["per_page"] == ["4"] && $0.query["label_selector"] == ["scalectl-fleet=t"] })
    }

    @Test func concurrentCreatesShareTheirActionPolls() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let image = try await Self.image(fake)
        // Each action runs 1 s: the four creates are sent well within that, so their actions are pending together.
        try await fake.faults(["action_seconds": 1.0])
        let provider = fake.provider { $0.actionPollInterval = .milliseconds(50) }
        let names = (1...4).map { "t-frontal-1-\($0)" }
        let nodes = try await withThrowingTaskGroup(of: Node.self) { group in
            for name in names { group.addTask { try await provider.createNode(Self.spec(name, image: image)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(nodes.map(\.name)) == Set(names))
        #expect(try await fake.servers().values.allSatisfy { $0 == "running" }, "createNode returns once every action succeeded")

        let requests = try await fake.requests()
        let bodies = requests.filter { $0.is("POST", "/v1/servers") }.compactMap(\.body)
        #expect(bodies.count == 4)
        for body in bodies {
            #expect(Set(body.keys) == ["name", "server_type", "image", "location", "labels"], "\(body)")
            #expect(body["server_type"] as? String == "cpx31" && body["image"] as? String == image && body["location"] as? String == "fsn1")
            #expect(body["labels"] as? [String: String] == ["scalectl-fleet": "t", "scalectl-role": "frontal", "scalectl-event": "1", "scalectl-run": "7"])
        }
        let polls = requests.filter { $0.is("GET", "/v1/actions") }
        // Counted in rounds, not in time: shared polling makes one request per round for every pending action,
        // so the requests are about as many as the rounds one action was polled in (the create then the start
        // action of a server: about twice); each create polling on its own would make four times as many.
        let ids = polls.map { $0.query["id"] ?? [] }
        let roundsOfOneAction = Dictionary(ids.flatMap { $0 }.map { ($0, 1) }, uniquingKeysWith: +).values.max() ?? 0
        #expect(roundsOfOneAction > 0 && polls.count < 4 * roundsOfOneAction, "\(polls.count) polls, one action in \(roundsOfOneAction)")
        #expect(ids.contains { $0.count >= 4 }, "one request polled the four creates' actions: \(ids)")
    }

    @Test func aFailedActionFailsTheCreateWithItsCode() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let image = try await Self.image(fake)
        try await fake.faults(["action_errors": ["t-frontal-1-1": ["code": "placement_error", "message": "no host has room"]]])
        let error = await #expect(throws: ProviderError.self) { try await fake.provider().createNode(Self.spec("t-frontal-1-1", image: image)) }
        #expect(error?.code == "placement_error")
        #expect(error?.message.contains("create_server") == true && error?.message.contains("no host has room") == true)
        #expect(error?.isRetryable == false)
        #expect(error?.operation == "create t-frontal-1-1")
    }

    @Test func aTakenNameIsAUniquenessErrorAndTheNameCanBeLookedUp() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let image = try await Self.image(fake)
        try await fake.seed(["servers": [["name": "t-frontal-1-1", "labels": ["team": "web"]]]])
        let provider = fake.provider()
        let error = await #expect(throws: ProviderError.self) { try await provider.createNode(Self.spec("t-frontal-1-1", image: image)) }
        #expect(error?.code == ProviderError.nameTakenCode && error?.status == 409 && error?.isRetryable == false)
        let found = try #require(try await provider.node(named: "t-frontal-1-1"))
        #expect(found.fleet == nil, "the executor sees a stranger and never adopts it")
        #expect(try await provider.node(named: "t-frontal-1-9") == nil)
        #expect(try await fake.requests().last?.query["name"] == ["t-frontal-1-9"])
    }

    /// Injected answers to `POST /servers`: the code, whether waiting helps, and the on-call hint.
    static let failures: [(status: Int, code: String, retryable: Bool, hint: String?)] = [
        (412, "resource_unavailable", false, "cannot be ordered in that location"),
        (403, "resource_limit_exceeded", false, "server limit is reached"),
        (401, "token_readonly", false, "Read & Write"),
        (423, "locked", true, "passing"),
        (409, "conflict", true, "passing"),
        (500, "server_error", true, "passing"),
        (503, "unavailable", true, "passing"),
        (504, "timeout", true, "passing"),
        (422, "invalid_input", false, "malformed"),
        (404, "not_found", false, nil),
    ]

    @Test(arguments: failures)
    func failuresSurfaceWithCodeHintAndCorrelationID(_ failure: (status: Int, code: String, retryable: Bool, hint: String?)) async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let image = try await Self.image(fake)
        try await fake.faults(["rules": [FakeHetzner.rule("POST", "/v1/servers", status: failure.status, code: failure.code, times: 1)]])
        let error = await #expect(throws: ProviderError.self) { try await fake.provider().createNode(Self.spec("t-frontal-1-1", image: image)) }
        #expect(error?.provider == "hetzner" && error?.status == failure.status && error?.code == failure.code)
        #expect(error?.isRetryable == failure.retryable)
        if let hint = failure.hint { #expect(error?.hint?.contains(hint) == true, "\(String(describing: error?.hint))") } else { #expect(error?.hint == nil) }
        let sent = try #require(try await fake.requests().last)
        #expect(!sent.correlationID.isEmpty && error?.requestID == sent.correlationID)
        #expect(error?.description.contains(FakeHetzner.token) == false)
    }

    @Test func aMalformedRequestIsRefusedWithTheFieldNamed() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let image = try await Self.image(fake)
        let error = await #expect(throws: ProviderError.self) {
            try await fake.provider { $0.location = "mars1" }.createNode(Self.spec("t-frontal-1-1", image: image))
        }
        #expect(error?.code == "invalid_input" && error?.status == 422)
        #expect(error?.message.contains("location: unknown location") == true, "\(String(describing: error))")
    }

    @Test func aWrongTokenIsUnauthorizedAndNeverPrinted() async throws {
        let fake = try await FakeHetzner.start()
        atEnd { await fake.stop() }
        let wrong = "hz-WRONG-0123456789abcdef"
        let error = await #expect(throws: ProviderError.self) { try await fake.provider(token: wrong).listNodes() }
        #expect(error?.code == "unauthorized" && error?.hint?.contains("Read & Write") == true)
        #expect(error.map { "\($0)" }?.contains(wrong) == false)
        #expect(try await fake.requests().first?.auth == "wrong")
    }
}
