import Foundation
import ScaleTesting
import Testing

/// Issue 17, points 3, 6, 8 and 9: what a run reports and retries when the API answers oddly.
@Suite(.serialized, .awaitsCleanup)
struct HetznerReportTests {
    /// 3: a create action that fails may leave the server (powered off, billing) or remove it; the alert
    /// names every server of the role that exists after the failure, its state, and what the next run
    /// does, and the next run converges.
    @Test(arguments: ["left", "removed"])
    func aFailedCreateReportsWhatExists(leaves: String) async throws {
        let fleet = try await FaultFleet.start(frontal: 1, celery: 2, faults: [
            "failed_create": leaves, "action_errors": ["t-celery-1-2": ["code": "server_error", "message": "host failed"]],
        ])
        atEnd { await fleet.stop() }
        let first = try await fleet.up()
        #expect(first.status == 1, "\(first)")
        let text = first.stdout + first.stderr
        #expect(!text.contains("created none"), "\(text)")
        #expect(text.contains("t-celery-1-1 (") && text.contains("the next run keeps it"), "the created node is named: \(text)")
        if leaves == "left" {
            #expect(text.contains("t-celery-1-2 (") && text.contains("billing while off; the next run deletes and creates it again"), "\(text)")
        } else {
            #expect(!text.contains("exists: t-celery-1-2"), "\(text)")
        }
        try await fleet.fake.faults(["action_errors": [:]])
        let second = try await fleet.up()
        #expect(second.status == 0, "\(second)")
        let servers = try await fleet.servers()
        #expect(servers.map(\.name).sorted() == ["t-celery-1-1", "t-celery-1-2", "t-frontal-1-1"] && servers.allSatisfy { $0.status == "running" })
    }

    /// 6: a provider error that echoes the token reaches neither the output nor the database.
    @Test func aProviderEchoingTheTokenIsScrubbed() async throws {
        let fleet = try await FaultFleet.start(frontal: 1, celery: 1, faults: [
            "echo_token": true, "rules": [FakeHetzner.rule("POST", "/v1/servers", status: 422, code: "invalid_input", name: "t-celery-1-1")],
        ])
        atEnd { await fleet.stop() }
        let up = try await fleet.up()
        #expect(up.status == 1, "\(up)")
        #expect((up.stdout + up.stderr).contains("request authorized as Bearer <redacted>"), "the message is kept, the token is not: \(up)")
        #expect(!(up.stdout + up.stderr).contains(FakeHetzner.token))
        let status = try await fleet.run("history", "--json")
        #expect(!(status.stdout + status.stderr).contains(FakeHetzner.token))
        #expect(try fleet.storedBytes().range(of: Data(FakeHetzner.token.utf8)) == nil, "no token in the database")
    }

    /// 8: a create answered 409 `uniqueness_error` while no server holds the name (the name index lags):
    /// looked up again and created within the run.
    @Test func aConflictOnANameNobodyHoldsIsRetriedWithinTheRun() async throws {
        let fleet = try await FaultFleet.start(frontal: 1, celery: 1, faults: ["phantom_conflicts": ["t-celery-1-1": 1]])
        atEnd { await fleet.stop() }
        let up = try await fleet.up()
        #expect(up.status == 0, "\(up)")
        #expect(try await fleet.stats()["conflicts"] == 1, "the fault fired")
        let creates = try await fleet.fake.requests().filter { $0.is("POST", "/v1/servers") && $0.body?["name"] as? String == "t-celery-1-1" }
        #expect(creates.map(\.status) == [409, 201])
    }

    /// 9: pages that disagree on the total are read again; if they keep disagreeing the step fails with
    /// a message that says so, instead of waiting for nodes until `boot_timeout`.
    @Test func pagesThatDisagreeAreReadAgainOrFailClearly() async throws {
        let fleet = try await FaultFleet.start(frontal: 3, celery: 2, perPage: 2)
        atEnd { await fleet.stop() }
        #expect(try await fleet.up().status == 0)
        try await fleet.fake.faults(["inconsistent_pages": 1])
        let once = try await fleet.run("status", "--at", FaultFleet.during)
        #expect(once.status == 0, "\(once)")
        try await fleet.fake.faults(["inconsistent_pages": 1000])
        let always = try await fleet.down()
        #expect(always.status == 1, "\(always)")
        #expect((always.stdout + always.stderr).contains("disagreed on the number of entries"), "\(always)")
    }
}
