import Foundation
import ScaleCore
import Testing

/// Table-driven planner cases: the planner is pure, so each case is data in, steps out.
struct PlannerTests {
    typealias F = Fixture

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var command: Command = .reconcile
        var force = false
        var now: String
        var events: [Event] = [F.event(1, "2026-11-23 21:00", "2026-11-23 23:00")]
        var overrides: [Override] = []
        var nodes: [Node] = []
        var members: [String: BalancerHealth] = [:]
        var mode: Plan.Mode
        /// Expected steps per role; roles not named must have no plan.
        var steps: [String: [Step]] = [:]
        var reason: String? = nil

        var testDescription: String { name }
    }

    static let f1 = F.names("frontal", "1", 1...3)
    static let c1 = F.names("celery", "1", 1...2)
    static let emptyUp: [String: [Step]] = [
        "frontal": [.resolveSnapshot, .create(f1), .awaitRunning(f1), .attach(balancer: "lb", f1), .awaitHealthy(balancer: "lb", f1), .probe(f1)],
        "celery": [.resolveSnapshot, .create(c1), .awaitRunning(c1)],
    ]
    static let fullFleet = (1...3).map { F.node("frontal", "1", $0) } + (1...2).map { F.node("celery", "1", $0) }
    static let allMembers = Dictionary(uniqueKeysWithValues: (1...3).map { (F.node("frontal", "1", $0).id, BalancerHealth.healthy) })
    static let verifyOnly: [String: [Step]] = [
        "frontal": [.awaitRunning(f1), .awaitHealthy(balancer: "lb", f1), .probe(f1)],
        "celery": [.awaitRunning(c1)],
    ]
    static let teardown: [String: [Step]] = [
        "frontal": [.detach(balancer: "lb", Array(fullFleet.prefix(3))), .drain(.seconds(60)), .delete(Array(fullFleet.prefix(3)), .teardown), .awaitGone(f1)],
        "celery": [.delete(Array(fullFleet.suffix(2)), .teardown), .awaitGone(c1)],
    ]

    static let cases: [Case] = [
        Case(name: "no event at all", now: "2026-11-23 20:30", events: [], mode: .idle, reason: "no event now and no owned nodes left; no upcoming event"),
        Case(name: "up before the lead", command: .up, now: "2026-11-23 20:14", mode: .idle, reason: "no event now; next: #1"),
        Case(name: "inside the window, empty fleet", now: "2026-11-23 20:15", mode: .up, steps: emptyUp),
        Case(name: "inside the window, fleet complete: only verify", command: .up, now: "2026-11-23 22:00", nodes: fullFleet, members: allMembers, mode: .up, steps: verifyOnly),
        Case(name: "after the margin, fleet present: tear down", now: "2026-11-23 23:30", nodes: fullFleet, members: allMembers, mode: .down, steps: teardown),
        Case(name: "after the margin, nothing left", now: "2026-11-23 23:30", mode: .idle, reason: "no owned nodes left"),
        Case(name: "up after the margin does not tear down", command: .up, now: "2026-11-23 23:31", nodes: fullFleet, mode: .idle),
        Case(name: "down inside the window is refused", command: .down, now: "2026-11-23 22:00", nodes: fullFleet, mode: .idle, reason: "down --force would"),
        Case(name: "down --force inside the window", command: .down, force: true, now: "2026-11-23 22:00", nodes: fullFleet, members: allMembers, mode: .down, steps: teardown),
        Case(
            name: "overlapping events: the larger count, named after the first",
            now: "2026-11-23 22:30",
            events: [F.event(1, "2026-11-23 21:00", "2026-11-23 23:00", counts: ["frontal": 2]), F.event(2, "2026-11-23 22:00", "2026-11-24 01:00", counts: ["frontal": 4, "celery": 1])],
            mode: .up,
            steps: [
                "frontal": [.resolveSnapshot, .create(F.names("frontal", "1", 1...4)), .awaitRunning(F.names("frontal", "1", 1...4)), .attach(balancer: "lb", F.names("frontal", "1", 1...4)), .awaitHealthy(balancer: "lb", F.names("frontal", "1", 1...4)), .probe(F.names("frontal", "1", 1...4))],
                "celery": [.resolveSnapshot, .create(c1), .awaitRunning(c1)],
            ]),
        Case(
            name: "partial fleet: create and attach only what is missing",
            now: "2026-11-23 20:30", nodes: [F.node("frontal", "1", 2), F.node("celery", "1", 1), F.node("celery", "1", 2)],
            members: [F.node("frontal", "1", 2).id: .healthy], mode: .up,
            steps: [
                "frontal": [.resolveSnapshot, .create([f1[0], f1[2]]), .awaitRunning(f1), .attach(balancer: "lb", [f1[0], f1[2]]), .awaitHealthy(balancer: "lb", f1), .probe(f1)],
                "celery": [.awaitRunning(c1)],
            ]),
        Case(
            name: "extra nodes are detached, drained and deleted after the rest is ready",
            now: "2026-11-23 20:30", nodes: fullFleet + [F.node("frontal", "1", 4), F.node("frontal", "1", 5)],
            members: allMembers.merging([F.node("frontal", "1", 4).id: .healthy]) { $1 }, mode: .up,
            steps: [
                "frontal": [.awaitRunning(f1), .awaitHealthy(balancer: "lb", f1), .probe(f1), .detach(balancer: "lb", [F.node("frontal", "1", 4)]), .drain(.seconds(60)), .delete([F.node("frontal", "1", 4), F.node("frontal", "1", 5)], .extra), .awaitGone(F.names("frontal", "1", 4...5))],
                "celery": [.awaitRunning(c1)],
            ]),
        Case(
            name: "odd states: off and error are replaced, deleting is awaited, creating is kept",
            now: "2026-11-23 20:30",
            nodes: [F.node("frontal", "1", 1, .off), F.node("frontal", "1", 2, .error), F.node("frontal", "1", 3, .deleting), F.node("celery", "1", 1, .creating), F.node("celery", "1", 2, .stopping)],
            members: [F.node("frontal", "1", 1).id: .unhealthy], mode: .up,
            steps: [
                "frontal": [.resolveSnapshot, .detach(balancer: "lb", [F.node("frontal", "1", 1, .off)]), .delete([F.node("frontal", "1", 1, .off), F.node("frontal", "1", 2, .error)], .replace), .awaitGone(f1), .create(f1), .awaitRunning(f1), .attach(balancer: "lb", f1), .awaitHealthy(balancer: "lb", f1), .probe(f1)],
                "celery": [.resolveSnapshot, .delete([F.node("celery", "1", 2, .stopping)], .replace), .awaitGone([c1[1]]), .create([c1[1]]), .awaitRunning(c1)],
            ]),
        Case(
            name: "two nodes with one name: the running one is kept",
            now: "2026-11-23 20:30", nodes: fullFleet + [F.node("celery", "1", 1, .error, id: "dup")], members: allMembers, mode: .up,
            steps: [
                "frontal": [.awaitRunning(f1), .awaitHealthy(balancer: "lb", f1), .probe(f1)],
                "celery": [.awaitRunning(c1), .delete([F.node("celery", "1", 1, .error, id: "dup")], .extra), .awaitGone([c1[0]])],
            ]),
        Case(
            name: "nodes of an earlier event are replaced by this event's",
            now: "2026-11-24 20:30", events: [F.event(2, "2026-11-24 21:00", "2026-11-24 23:00")], nodes: [F.node("celery", "1", 1)], mode: .up,
            steps: [
                "frontal": [.resolveSnapshot, .create(F.names("frontal", "2", 1...3)), .awaitRunning(F.names("frontal", "2", 1...3)), .attach(balancer: "lb", F.names("frontal", "2", 1...3)), .awaitHealthy(balancer: "lb", F.names("frontal", "2", 1...3)), .probe(F.names("frontal", "2", 1...3))],
                "celery": [.resolveSnapshot, .create(F.names("celery", "2", 1...2)), .awaitRunning(F.names("celery", "2", 1...2)), .delete([F.node("celery", "1", 1)], .extra), .awaitGone([c1[0]])],
            ]),
        Case(
            name: "nodes of a role no longer configured are removed",
            now: "2026-11-23 23:45", nodes: [F.node("legacy", "1", 1)], mode: .down,
            steps: ["legacy": [.delete([F.node("legacy", "1", 1)], .teardown), .awaitGone(F.names("legacy", "1", 1...1))]]),
        Case(
            name: "a hold keeps the fleet after the window",
            now: "2026-11-23 23:45", overrides: [Override(id: 1, action: .hold(until: F.at("2026-11-24 01:00")), reason: "overran", author: "ana", createdAt: F.at("2026-11-23 22:00"), expiresAt: F.at("2026-11-24 01:00"))],
            nodes: fullFleet, mode: .idle, reason: "held until 2026-11-24 01:00"),
        Case(
            name: "down --force overrides a hold",
            command: .down, force: true, now: "2026-11-23 23:45", overrides: [Override(id: 1, action: .hold(until: F.at("2026-11-24 01:00")), reason: "overran", author: "ana", createdAt: F.at("2026-11-23 22:00"), expiresAt: nil)],
            nodes: fullFleet, members: allMembers, mode: .down, steps: teardown),
        Case(
            name: "a skipped event brings no fleet",
            command: .up, now: "2026-11-23 20:30", overrides: [Override(id: 1, action: .skip(eventID: 1), reason: "cancelled", author: "ana", createdAt: F.at("2026-11-23 12:00"), expiresAt: nil)],
            mode: .idle),
        Case(
            name: "an extension keeps the window open",
            now: "2026-11-23 23:45", overrides: [Override(id: 1, action: .extend(eventID: 1, by: .seconds(1800)), reason: "extra time", author: "ana", createdAt: F.at("2026-11-23 22:00"), expiresAt: nil)],
            nodes: fullFleet, members: allMembers, mode: .up, steps: verifyOnly),
        Case(
            name: "a count override changes the fleet size",
            now: "2026-11-23 20:30", overrides: [Override(id: 1, action: .setCount(role: "celery", count: 3, eventID: 1), reason: "more players", author: "ana", createdAt: F.at("2026-11-23 12:00"), expiresAt: nil)],
            nodes: fullFleet, members: allMembers, mode: .up,
            steps: [
                "frontal": [.awaitRunning(f1), .awaitHealthy(balancer: "lb", f1), .probe(f1)],
                "celery": [.resolveSnapshot, .create([F.names("celery", "1", 3...3)[0]]), .awaitRunning(F.names("celery", "1", 1...3))],
            ]),
    ]

    @Test(arguments: cases)
    func plans(_ testCase: Case) {
        let plan = Planner.plan(PlannerInput(
            command: testCase.command, force: testCase.force, now: F.at(testCase.now), settings: F.settings(),
            events: testCase.events, overrides: testCase.overrides,
            observed: Observation(nodes: testCase.nodes, balancers: ["lb": testCase.members])))
        #expect(plan.mode == testCase.mode, "\(plan.reason)")
        if let reason = testCase.reason { #expect(plan.reason.contains(reason), "\(plan.reason)") }
        let actual = Dictionary(uniqueKeysWithValues: plan.roles.filter { !$0.steps.isEmpty }.map { ($0.role, $0.steps) })
        #expect(Set(actual.keys) == Set(testCase.steps.keys))
        for (role, steps) in testCase.steps {
            #expect(actual[role] == steps, "role \(role)")
        }
    }

    @Test func countOverridesPreferTheEventSpecificThenTheNewest() {
        let window = Window.merged([F.event(1, "2026-11-23 21:00", "2026-11-23 23:00", counts: ["celery": 4])], lead: .zero, margin: .zero)[0]
        let role = F.settings().role("celery")!
        func set(_ id: Int64, _ count: Int, event: Int64?, at: String) -> Override {
            Override(id: id, action: .setCount(role: "celery", count: count, eventID: event), reason: "r", author: "a", createdAt: F.at(at), expiresAt: nil)
        }
        #expect(Planner.desiredCount(of: role, in: window, overrides: []) == 4)
        #expect(Planner.desiredCount(of: role, in: window, overrides: [set(1, 7, event: nil, at: "2026-11-23 10:00")]) == 7)
        #expect(Planner.desiredCount(of: role, in: window, overrides: [set(1, 9, event: 1, at: "2026-11-23 09:00"), set(2, 7, event: nil, at: "2026-11-23 10:00")]) == 9)
        #expect(Planner.desiredCount(of: role, in: window, overrides: [set(1, 9, event: 2, at: "2026-11-23 09:00")]) == 4, "an override for another event does not apply")
    }

    @Test func expiredOverridesDoNotApply() {
        let skip = Override(id: 1, action: .skip(eventID: 1), reason: "r", author: "a", createdAt: F.at("2026-11-23 10:00"), expiresAt: F.at("2026-11-23 12:00"))
        let plan = Planner.plan(PlannerInput(
            command: .up, now: F.at("2026-11-23 20:30"), settings: F.settings(), events: [F.event(1, "2026-11-23 21:00", "2026-11-23 23:00")],
            overrides: [skip], observed: Observation(nodes: [])))
        #expect(plan.mode == .up)
        #expect(plan.overrides.isEmpty)
    }
}

struct AlertContentTests {
    @Test func aFailureAlertNamesTheStepNodesProviderAnswerAndOverrides() {
        let zone = TimeZone(identifier: "Europe/Madrid")!
        let event = Fixture.event(1, "2026-11-23 21:00", "2026-11-23 23:00")
        let node = Node(id: "812", name: "m-frontal-1-4", state: .running, privateIP: "10.0.0.7")
        let failure = StepFailure(
            role: "frontal", step: "await-healthy", summary: "2 of 5 frontal nodes unhealthy on the load balancer lb", nodes: [node],
            details: ["m-frontal-1-4 (id 812, 10.0.0.7, running): unhealthy"],
            providerError: ProviderError(provider: "hetzner", operation: "read health", status: 503, code: "unavailable", message: "try later", requestID: "c0ffee"),
            action: "kept every node attached")
        let hold = Override(id: 3, action: .setCount(role: "frontal", count: 5, eventID: 1), reason: "record audience", author: "ana", createdAt: Fixture.at("2026-11-23 12:00"), expiresAt: nil)
        let alert = Alert.failure(failure, command: "up", fleet: "m", event: event, zone: zone, now: Fixture.at("2026-11-23 20:22"), overrides: [hold])
        #expect(alert.title == "Show 1 2026-11-23 21:00 +01:00: 2 of 5 frontal nodes unhealthy on the load balancer lb, 38 min before start")
        for text in ["Step: await-healthy (role frontal)", "m-frontal-1-4 (id 812, 10.0.0.7, running)", "hetzner unavailable (HTTP 503): try later [request id c0ffee]",
                     "What the controller did: kept every node attached", "scalectl override set frontal 1 --reason \"go on with the frontal nodes that work\"",
                     "Overrides in force:", "#3 set frontal to 5 for event #1 by ana: record audience"] {
            #expect(alert.text.contains(text), "missing \(text)")
        }
    }
}
