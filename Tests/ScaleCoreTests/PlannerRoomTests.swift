import Foundation
import ScaleCore
import Testing

/// The plan under the server limit: every role gets its `min` first, in priority order (higher first, then
/// the file's order), then the rest in the same order; nodes that exist are never dropped.
struct PlannerRoomTests {
    typealias F = Fixture

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var free: Int
        var frontal: (min: Int?, priority: Int) = (nil, 0)
        var celery: (min: Int?, priority: Int) = (nil, 0)
        var nodes: [Node] = []
        /// Role → the names the plan creates.
        var creates: [String: [String]]
        /// Role → nodes planned, for the roles that are short.
        var short: [String: Int]

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "room for all: no shortage", free: 5,
            creates: ["frontal": F.names("frontal", "1", 1...3), "celery": F.names("celery", "1", 1...2)], short: [:]),
        Case(
            name: "no min: whole roles in the file's order", free: 3,
            creates: ["frontal": F.names("frontal", "1", 1...3)], short: ["celery": 0]),
        Case(
            name: "mins first, then the rest in order", free: 3, frontal: (1, 0), celery: (1, 0),
            creates: ["frontal": F.names("frontal", "1", 1...2), "celery": F.names("celery", "1", 1...1)], short: ["frontal": 2, "celery": 1]),
        Case(
            name: "less room than the mins: priority decides", free: 2, frontal: (2, 0), celery: (1, 5),
            creates: ["frontal": F.names("frontal", "1", 1...1), "celery": F.names("celery", "1", 1...1)], short: ["frontal": 1, "celery": 1]),
        Case(
            name: "existing nodes count toward min and are kept", free: 1, frontal: (2, 0), celery: (0, 0),
            nodes: [F.node("frontal", "1", 2)],
            creates: ["frontal": F.names("frontal", "1", 1...1)], short: ["frontal": 2, "celery": 0]),
        Case(
            name: "no room at all: nothing is created, nothing is dropped", free: 0, frontal: (1, 0), celery: (1, 0),
            nodes: [F.node("frontal", "1", 3)],
            creates: [:], short: ["frontal": 1, "celery": 0]),
    ]

    @Test(arguments: cases)
    func sharesTheRoomByMinAndPriority(_ c: Case) {
        var settings = F.settings()
        settings.roles[0].min = c.frontal.min
        settings.roles[0].priority = c.frontal.priority
        settings.roles[1].min = c.celery.min
        settings.roles[1].priority = c.celery.priority
        var input = PlannerInput(
            command: .reconcile, now: F.at("2026-11-23 20:30"), settings: settings,
            events: [F.event(1, "2026-11-23 21:00", "2026-11-23 23:00")], observed: Observation(nodes: c.nodes))
        input.room = ServerRoom(free: c.free, text: "the server limit")
        let plan = Planner.plan(input)
        #expect(plan.mode == .up && plan.refusal == nil)
        for role in plan.roles {
            let created = role.steps.flatMap { step -> [String] in if case .create(let names) = step { names } else { [] } }
            #expect(created == c.creates[role.role] ?? [], "\(role.role) creates \(created)")
            #expect(role.shortage?.planned == c.short[role.role], "\(role.role): \(String(describing: role.shortage))")
            #expect(role.desired == (role.role == "frontal" ? 3 : 2), "desired stays what the calendar wants")
        }
        let kept = Set(c.nodes.map(\.name))
        let deleted = plan.roles.flatMap(\.steps).contains { if case .delete = $0 { true } else { false } }
        #expect(kept.isEmpty || !deleted, "a node that exists is never dropped for lack of room")
    }

    @Test func theShortageSaysWhoGetsWhatAndWhy() throws {
        var settings = F.settings()
        settings.roles[0].min = 2
        var input = PlannerInput(
            command: .reconcile, now: F.at("2026-11-23 20:30"), settings: settings,
            events: [F.event(1, "2026-11-23 21:00", "2026-11-23 23:00")], observed: Observation(nodes: []))
        input.room = ServerRoom(ServerQuota(used: 8, limit: nil, scope: "project"), limit: 10)
        let frontal = try #require(Planner.plan(input).roles.first { $0.role == "frontal" })
        #expect(frontal.shortage?.reason == "the server limit 10 (project) with 8 servers in use leaves room for 2 more servers: frontal gets 2 of the 3 new it needs (priority 0, min 2)")
    }
}
