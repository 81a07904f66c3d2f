import Foundation

/// One server's life as the node ledger records it: from the create request to gone, or still there.
public struct ServerLife: Sendable, Hashable {
    public var name: String
    public var role: String
    /// The event label the node carried (the event's id), nil for a node adopted without one.
    public var event: String?
    public var serverType: String?
    /// When the create call was made: the provider bills from the moment it accepts it.
    public var start: Date
    /// When it was seen gone; nil while it still exists.
    public var end: Date?

    public init(name: String, role: String, event: String?, serverType: String?, start: Date, end: Date?) {
        self.name = name
        self.role = role
        self.event = event
        self.serverType = serverType
        self.start = start
        self.end = end
    }
}

/// What one server cost.
public struct NodeCost: Sendable, Hashable {
    public var life: ServerLife
    /// The instant its cost runs to: gone, or now for a server still there.
    public var until: Date
    public var running: Bool { life.end == nil }
    public var charge: Charge
}

/// What one role's nodes of one event cost, and what keeping its peak on would have cost.
public struct RoleCost: Sendable, Hashable {
    public var role: String
    /// The server type the baseline is priced at: the one of the role's latest node.
    public var serverType: String?
    public var nodes: Int
    public var running: Int
    /// The most nodes that existed at once.
    public var peak: Int
    public var nodeHours: Double
    public var billedHours: Double
    public var cost: Double?
    /// `peak` servers kept on over the event's whole period.
    public var alwaysOn: Charge
    public var saving: Double? { cost.flatMap { cost in alwaysOn.amount.map { $0 - cost } } }
}

/// What one event's nodes cost.
///
/// The saving compares against keeping the event's peak fleet (per role, the most nodes that existed
/// at once) on for the event's *period*: from its first node's create to the next event's first
/// node's create, or to now for the latest event. Periods follow each other, so the events' savings
/// add up to what the whole time range saved against never scaling in.
public struct EventCost: Sendable, Hashable {
    /// The event label, nil for nodes without one.
    public var event: String?
    public var period: DateInterval
    public var roles: [RoleCost]
    public var nodes: [NodeCost]

    public var running: Int { nodes.filter(\.running).count }
    public var nodeHours: Double { roles.map(\.nodeHours).reduce(0, +) }
    public var billedHours: Double { roles.map(\.billedHours).reduce(0, +) }
    public var cost: Double? { Self.sum(roles.map(\.cost)) }
    public var alwaysOnCost: Double? { Self.sum(roles.map(\.alwaysOn.amount)) }
    public var saving: Double? { cost.flatMap { cost in alwaysOnCost.map { $0 - cost } } }

    /// The sum, or nil when one is unknown.
    static func sum(_ values: [Double?]) -> Double? {
        values.reduce(Optional(0.0)) { total, value in total.flatMap { total in value.map { total + $0 } } }
    }
}

/// Node-hours, billed hours and money per event, from the ledger's facts (not from the plan).
public struct FleetCost: Sendable, Hashable {
    public var billing: Billing
    public var now: Date
    public var events: [EventCost]

    public var nodeHours: Double { events.map(\.nodeHours).reduce(0, +) }
    public var billedHours: Double { events.map(\.billedHours).reduce(0, +) }
    public var cost: Double? { EventCost.sum(events.map(\.cost)) }
    public var alwaysOnCost: Double? { EventCost.sum(events.map(\.alwaysOnCost)) }
    public var saving: Double? { cost.flatMap { cost in alwaysOnCost.map { $0 - cost } } }
    public var running: Int { events.map(\.running).reduce(0, +) }

    /// Server types that appear but have no price, sorted.
    public var unpriced: [String] {
        let types = events.flatMap(\.nodes).map { $0.life.serverType ?? "unknown" }
        return Set(types.filter { billing.prices[$0] == nil }).sorted()
    }

    /// Prices the servers' lives.
    /// - Parameters:
    ///   - lives: every server the ledger knows was made (failed creates left out).
    ///   - now: where the lives of servers still there end for now.
    ///   - event: only this event label.
    ///   - since: only events whose first node was created at or after it.
    public init(lives: [ServerLife], billing: Billing, now: Date, event: String? = nil, since: Date? = nil) {
        self.billing = billing
        self.now = now
        let groups = Dictionary(grouping: lives, by: \.event)
            .map { (event: $0.key, lives: $0.value, first: $0.value.map(\.start).min() ?? now) }
            .sorted { ($0.first, $0.event ?? "") < ($1.first, $1.event ?? "") }
        var events: [EventCost] = []
        for (index, group) in groups.enumerated() {
            let next = index + 1 < groups.count ? groups[index + 1].first : now
            let period = DateInterval(start: group.first, end: max(group.first, next))
            events.append(Self.price(group.event, group.lives, period: period, billing: billing, now: now))
        }
        self.events = events.filter { cost in
            (event == nil || cost.event == event) && (since.map { cost.period.start >= $0 } ?? true)
        }
    }

    private static func price(_ event: String?, _ lives: [ServerLife], period: DateInterval, billing: Billing, now: Date) -> EventCost {
        let nodes = lives.sorted { ($0.start, $0.name) < ($1.start, $1.name) }.map { life in
            let until = max(life.start, life.end ?? now)
            return NodeCost(life: life, until: until, charge: billing.charge(serverType: life.serverType, from: life.start, to: until))
        }
        let byRole = Dictionary(grouping: nodes, by: \.life.role)
        let roles = byRole.keys.sorted().map { role -> RoleCost in
            let costs = byRole[role] ?? []
            let serverType = costs.last?.life.serverType
            let peak = peakConcurrency(costs.map { DateInterval(start: $0.life.start, end: $0.until) })
            let once = billing.charge(serverType: serverType, from: period.start, to: period.end)
            let alwaysOn = Charge(
                seconds: once.seconds * Double(peak), billedHours: once.billedHours * Double(peak),
                amount: once.amount.map { $0 * Double(peak) }, capped: once.capped)
            return RoleCost(
                role: role, serverType: serverType, nodes: costs.count, running: costs.filter(\.running).count, peak: peak,
                nodeHours: costs.map { $0.charge.seconds / 3600 }.reduce(0, +),
                billedHours: costs.map(\.charge.billedHours).reduce(0, +),
                cost: EventCost.sum(costs.map(\.charge.amount)), alwaysOn: alwaysOn)
        }
        return EventCost(event: event, period: period, roles: roles, nodes: nodes)
    }

    /// The most intervals that overlap at one instant; one ending when another starts does not overlap it.
    static func peakConcurrency(_ intervals: [DateInterval]) -> Int {
        let edges = intervals.flatMap { [($0.start, 1), ($0.end, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var current = 0
        var peak = 0
        for (_, change) in edges {
            current += change
            peak = max(peak, current)
        }
        return intervals.isEmpty ? 0 : max(peak, 1)
    }
}
