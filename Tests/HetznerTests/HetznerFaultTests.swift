import Foundation
import ScaleTesting
import Testing

/// The defects of issue 17, each against the fake Hetzner API with the fault that exposed it.
@Suite(.serialized, .awaitsCleanup)
struct HetznerFaultTests {
    /// 1 and 4: one 5xx on the shared action poll of a 10+10 teardown used to count once per waiter (20
    /// "consecutive failures": the breaker opened, `down` exited 1 and left servers billing), and each
    /// waiter sent its shutdown again. Now the failed poll counts once, is retried as a poll, and every
    /// mutation is sent once.
    @Test func oneFailedPollOfABigTeardownCountsOnceAndIsPolledAgain() async throws {
        let fleet = try await FaultFleet.start(frontal: 10, celery: 10)
        atEnd { await fleet.stop() }
        let up = try await fleet.up()
        #expect(up.status == 0, "\(up)")
        try await fleet.fake.faults(["rules": [FakeHetzner.rule("GET", "/v1/actions", status: 500, code: "server_error", times: 1)]])
        let down = try await fleet.down()
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.servers().isEmpty, "nothing left billing")
        let requests = try await fleet.fake.requests()
        #expect(requests.contains { $0.is("GET", "/v1/actions") && $0.status == 500 }, "the fault fired")
        let shutdowns = requests.filter { $0.is("POST", matching: "/v1/servers/[0-9]+/actions/shutdown") }
        #expect(shutdowns.count == 20 && Set(shutdowns.map(\.path)).count == 20, "one shutdown per server, never again")
        let deletes = requests.filter { $0.is("DELETE", matching: "/v1/servers/[0-9]+") }
        #expect(deletes.count == 20 && deletes.allSatisfy { $0.status == 200 }, "one delete per server, no 404 from a repeat")
    }

    /// 2: with a budget of 40 requests refilling 20 a second, a 10+10 teardown used to burst into 429s
    /// (its action polls were not paced at all). Every request is paced now, `down` as `up`.
    @Test func aTeardownKeepsInsideATightBudget() async throws {
        let fleet = try await FaultFleet.start(frontal: 10, celery: 10)
        atEnd { await fleet.stop() }
        let up = try await fleet.up()
        #expect(up.status == 0, "\(up)")
        try await fleet.fake.faults(["rate_limit": ["limit": 40, "remaining": 40, "per_second": 20]])
        let before = try await fleet.stats()
        let down = try await fleet.down()
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.servers().isEmpty)
        let after = try await fleet.stats()
        #expect(after["requests", default: 0] - before["requests", default: 0] > 40, "the teardown needed more than the budget held")
        #expect(after["429"] == before["429"], "no request was refused: \(after)")
    }

    /// 4: a shutdown whose answer is lost (Hetzner did it, the connection dropped) is not sent again
    /// blindly: the server is watched until it is off, then deleted.
    @Test func aLostShutdownAnswerIsNotSentAgain() async throws {
        let fleet = try await FaultFleet.start(frontal: 1, celery: 1)
        atEnd { await fleet.stop() }
        #expect(try await fleet.up().status == 0)
        try await fleet.fake.faults(["rules": [["method": "POST", "path": "/v1/servers/[0-9]+/actions/shutdown", "lost": true, "times": 2]]])
        let down = try await fleet.down()
        #expect(down.status == 0, "\(down)")
        #expect(try await fleet.servers().isEmpty)
        let requests = try await fleet.fake.requests()
        #expect(try await fleet.stats()["lost"] == 2, "both answers were lost")
        #expect(requests.filter { $0.is("POST", matching: "/v1/servers/[0-9]+/actions/shutdown") }.count == 2, "one shutdown per server")
        #expect(requests.filter { $0.is("DELETE", matching: "/v1/servers/[0-9]+") }.count == 2)
    }
}
