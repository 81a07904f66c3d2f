import Foundation
import ScaleCore
import Testing

/// The cost arithmetic: billing rules on single servers, then whole ledgers priced per event.
struct CostTests {
    static let hetzner = Billing(
        rule: .hourlyStartedHours(monthlyCap: true), currency: "EUR",
        prices: ["cpx31": Price(hourly: 0.0211, monthly: 13.10), "cpx41": Price(hourly: 0.0395)])
    static let aws = Billing(rule: .perSecond(minimum: .seconds(60)), currency: "USD", prices: ["t3.large": Price(hourly: 0.0832)])

    static func at(_ text: String) -> Date { try! TimeText.parse(text, zone: .gmt) }

    struct ChargeCase: Sendable, CustomTestStringConvertible {
        var what: String
        var billing: Billing
        var type: String
        var from: String
        var to: String
        var billedHours: Double
        var amount: Double?
        var capped = false
        var testDescription: String { what }
    }

    static let charges: [ChargeCase] = [
        ChargeCase(what: "hetzner: 10 minutes bill a started hour", billing: hetzner, type: "cpx31",
                   from: "2026-11-23T20:00Z", to: "2026-11-23T20:10Z", billedHours: 1, amount: 0.0211),
        ChargeCase(what: "hetzner: exactly an hour is one hour", billing: hetzner, type: "cpx31",
                   from: "2026-11-23T20:00Z", to: "2026-11-23T21:00Z", billedHours: 1, amount: 0.0211),
        ChargeCase(what: "hetzner: 61 minutes bill two", billing: hetzner, type: "cpx31",
                   from: "2026-11-23T20:00Z", to: "2026-11-23T21:01Z", billedHours: 2, amount: 0.0422),
        ChargeCase(what: "hetzner: created and gone at once still bills an hour", billing: hetzner, type: "cpx41",
                   from: "2026-11-23T20:00Z", to: "2026-11-23T20:00Z", billedHours: 1, amount: 0.0395),
        ChargeCase(what: "hetzner: 29 days reach the monthly cap", billing: hetzner, type: "cpx31",
                   from: "2026-11-01T00:00Z", to: "2026-11-30T00:00Z", billedHours: 696, amount: 13.10, capped: true),
        ChargeCase(what: "hetzner: no monthly price, no cap", billing: hetzner, type: "cpx41",
                   from: "2026-11-01T00:00Z", to: "2026-11-30T00:00Z", billedHours: 696, amount: 696 * 0.0395),
        ChargeCase(what: "hetzner: each month is billed on its own", billing: hetzner, type: "cpx31",
                   from: "2026-11-30T23:30Z", to: "2026-12-01T00:30Z", billedHours: 2, amount: 0.0422),
        ChargeCase(what: "hetzner: a cap per calendar month", billing: hetzner, type: "cpx31",
                   from: "2026-11-02T00:00Z", to: "2027-01-01T00:00Z", billedHours: 696 + 744, amount: 26.20, capped: true),
        ChargeCase(what: "aws: 30 seconds bill the one-minute minimum", billing: aws, type: "t3.large",
                   from: "2026-11-23T20:00:00Z", to: "2026-11-23T20:00:30Z", billedHours: 60.0 / 3600, amount: 0.0832 / 60),
        ChargeCase(what: "aws: past the minimum, by the second", billing: aws, type: "t3.large",
                   from: "2026-11-23T20:00:00Z", to: "2026-11-23T21:00:01Z", billedHours: 3601.0 / 3600, amount: 0.0832 * 3601 / 3600),
        ChargeCase(what: "aws: no hourly rounding", billing: aws, type: "t3.large",
                   from: "2026-11-23T20:00:00Z", to: "2026-11-23T22:30:00Z", billedHours: 2.5, amount: 0.208),
        ChargeCase(what: "a type without a price: hours, no money", billing: hetzner, type: "cx22",
                   from: "2026-11-23T20:00Z", to: "2026-11-23T21:30Z", billedHours: 2, amount: nil),
    ]

    @Test(arguments: charges)
    func billingRules(_ c: ChargeCase) {
        let charge = c.billing.charge(serverType: c.type, from: Self.at(c.from), to: Self.at(c.to))
        #expect(abs(charge.billedHours - c.billedHours) < 1e-9, "billed \(charge.billedHours) hours")
        if let amount = c.amount {
            #expect(abs((charge.amount ?? -1) - amount) < 1e-9, "charged \(String(describing: charge.amount))")
        } else {
            #expect(charge.amount == nil)
        }
        #expect(charge.capped == c.capped)
    }

    @Test func aSecondFractionRoundsUpToTheSecondOnAWS() {
        let start = Self.at("2026-11-23T20:00:00Z")
        #expect(Self.aws.charge(serverType: "t3.large", from: start, to: start + .milliseconds(59_200)).billedHours == 60.0 / 3600)
        #expect(Self.aws.charge(serverType: "t3.large", from: start, to: start + .milliseconds(61_300)).billedHours == 62.0 / 3600)
    }

    // MARK: Ledgers

    static func life(_ name: String, _ from: String, _ to: String?, role: String = "frontal", event: String? = "1", type: String = "cpx31") -> ServerLife {
        ServerLife(name: name, role: role, event: event, serverType: type, start: at(from), end: to.map(at))
    }

    static func near(_ value: Double?, _ expected: Double) -> Bool { abs((value ?? .nan) - expected) < 1e-9 }

    @Test func partialHoursAndTheSavingAgainstKeepingThePeakOn() throws {
        let lives = (1...3).map { Self.life("t-frontal-1-\($0)", "2026-11-23T19:30Z", "2026-11-23T22:31Z") }
            + (1...2).map { Self.life("t-celery-1-\($0)", "2026-11-23T19:30Z", "2026-11-23T22:31Z", role: "celery", type: "cpx41") }
        let cost = FleetCost(lives: lives, billing: Self.hetzner, now: Self.at("2026-11-24T19:00Z"))
        let event = try #require(cost.events.first)
        #expect(cost.events.count == 1 && event.event == "1")
        let frontal = try #require(event.roles.first { $0.role == "frontal" })
        #expect(frontal.nodes == 3 && frontal.peak == 3 && frontal.running == 0)
        #expect(Self.near(frontal.nodeHours, 3 * (3 + 1.0 / 60)))
        #expect(frontal.billedHours == 12, "3h01m is four started hours, per node")
        #expect(Self.near(frontal.cost, 12 * 0.0211))
        // The period runs from the first create to now, 23h30m: 24 started hours for each of the 3 kept on.
        #expect(event.period.duration == 23.5 * 3600)
        #expect(frontal.alwaysOn.billedHours == 72)
        #expect(Self.near(frontal.alwaysOn.amount, 72 * 0.0211))
        #expect(Self.near(frontal.saving, 60 * 0.0211))
        #expect(Self.near(event.cost, 12 * 0.0211 + 8 * 0.0395))
        #expect(Self.near(event.saving, 60 * 0.0211 + 40 * 0.0395))
        #expect(Self.near(cost.saving, event.saving ?? .nan))
    }

    @Test func overlappingEventsSplitThePeriodAndCountTheirOwnNodes() throws {
        let lives = [
            Self.life("t-frontal-1-1", "2026-11-23T19:00Z", "2026-11-23T22:00Z"),
            Self.life("t-frontal-1-2", "2026-11-23T19:00Z", "2026-11-23T22:00Z"),
            Self.life("t-frontal-2-1", "2026-11-23T21:30Z", "2026-11-23T23:00Z", event: "2"),
        ]
        let cost = FleetCost(lives: lives, billing: Self.hetzner, now: Self.at("2026-11-24T00:00Z"))
        #expect(cost.events.map(\.event) == ["1", "2"])
        try #require(cost.events.count == 2)
        let first = cost.events[0]
        let second = cost.events[1]
        #expect(first.period == DateInterval(start: Self.at("2026-11-23T19:00Z"), end: Self.at("2026-11-23T21:30Z")))
        #expect(second.period == DateInterval(start: Self.at("2026-11-23T21:30Z"), end: Self.at("2026-11-24T00:00Z")))
        #expect(first.roles[0].peak == 2 && first.billedHours == 6, "its nodes count whole, past the next event's start")
        #expect(Self.near(first.cost, 6 * 0.0211) && Self.near(first.alwaysOnCost, 6 * 0.0211))
        #expect(second.roles[0].peak == 1 && second.billedHours == 2)
        #expect(Self.near(second.alwaysOnCost, 3 * 0.0211) && Self.near(second.saving, 0.0211))
        #expect(Self.near(cost.saving, 0.0211), "the savings of successive periods add up")
    }

    @Test func nodesLivingPastTheWindowCountUntilGone() throws {
        // The window ended at 22:30; the teardown only ran at 01:10: the ledger's facts count, not the plan.
        let cost = FleetCost(
            lives: [Self.life("t-frontal-1-1", "2026-11-23T19:30Z", "2026-11-24T01:10Z")], billing: Self.hetzner,
            now: Self.at("2026-11-24T12:00Z"))
        let node = try #require(cost.events.first?.nodes.first)
        #expect(Self.near(node.charge.seconds, (5 * 60 + 40) * 60.0))
        #expect(node.charge.billedHours == 6)
    }

    @Test func aNodeDeletedAndCreatedAgainIsTwoServers() throws {
        let lives = [
            Self.life("t-frontal-1-1", "2026-11-23T20:00Z", "2026-11-23T20:10Z"),
            Self.life("t-frontal-1-1", "2026-11-23T20:15Z", "2026-11-23T21:00Z"),
        ]
        let cost = FleetCost(lives: lives, billing: Self.hetzner, now: Self.at("2026-11-23T21:00Z"))
        let role = try #require(cost.events.first?.roles.first)
        #expect(role.nodes == 2 && role.peak == 1)
        #expect(role.billedHours == 2, "each server rounds up on its own")
        #expect(Self.near(role.nodeHours, 55.0 / 60))
    }

    @Test func nodesStillRunningCountUpToNow() throws {
        let now = Self.at("2026-11-23T21:30Z")
        let cost = FleetCost(
            lives: [Self.life("t-frontal-1-1", "2026-11-23T20:00Z", nil), Self.life("t-frontal-1-2", "2026-11-23T20:00Z", "2026-11-23T20:30Z")],
            billing: Self.hetzner, now: now)
        let event = try #require(cost.events.first)
        #expect(event.running == 1 && cost.running == 1)
        let open = try #require(event.nodes.first { $0.running })
        #expect(open.until == now && open.charge.billedHours == 2)
        #expect(event.roles[0].running == 1 && event.billedHours == 3)
    }

    @Test func awsPerSecondOverALedger() throws {
        let lives = [
            Self.life("t-web-1-1", "2026-11-23T20:00:00Z", "2026-11-23T20:00:30Z", role: "web", type: "t3.large"),
            Self.life("t-web-1-2", "2026-11-23T20:00:00Z", "2026-11-23T22:00:00Z", role: "web", type: "t3.large"),
        ]
        let cost = FleetCost(lives: lives, billing: Self.aws, now: Self.at("2026-11-23T22:00Z"))
        #expect(Self.near(cost.billedHours, (60.0 + 7200) / 3600))
        #expect(Self.near(cost.cost, 0.0832 * 7260 / 3600))
        #expect(Self.near(cost.alwaysOnCost, 2 * 2 * 0.0832), "two kept on for the two hours")
    }

    @Test func filtersKeepThePeriodsOfTheWholeLedger() {
        let lives = [
            Self.life("t-frontal-1-1", "2026-11-20T20:00Z", "2026-11-20T23:00Z"),
            Self.life("t-frontal-2-1", "2026-11-23T20:00Z", "2026-11-23T23:00Z", event: "2"),
        ]
        let now = Self.at("2026-11-24T00:00Z")
        let all = FleetCost(lives: lives, billing: Self.hetzner, now: now)
        let one = FleetCost(lives: lives, billing: Self.hetzner, now: now, event: "1")
        #expect(one.events.map(\.event) == ["1"])
        #expect(one.events[0].period == all.events[0].period, "event 1's period still ends at event 2's first create")
        let recent = FleetCost(lives: lives, billing: Self.hetzner, now: now, since: Self.at("2026-11-21T00:00Z"))
        #expect(recent.events.map(\.event) == ["2"])
    }

    @Test func unpricedServerTypesAreNamedAndLeaveTheMoneyUnknown() {
        let cost = FleetCost(
            lives: [Self.life("t-frontal-1-1", "2026-11-23T20:00Z", "2026-11-23T21:00Z", type: "cx22")], billing: Self.hetzner,
            now: Self.at("2026-11-23T22:00Z"))
        #expect(cost.unpriced == ["cx22"])
        #expect(cost.cost == nil && cost.saving == nil && cost.billedHours == 1)
    }
}
