import Foundation
import ScaleCore

/// `cost --json`, and the lines `cost` prints. Hours and money are rounded to 4 decimals; money is null
/// where a server type has no price.
struct CostOutput: Encodable, Sendable {
    struct Period: Encodable, Sendable {
        var from: Date
        var to: Date
        var hours: Double
    }

    struct NodeOutput: Encodable, Sendable {
        var name: String
        var role: String
        var serverType: String?
        var from: Date
        /// Null while the node still exists.
        var to: Nullable<Date>
        var running: Bool
        var hours: Double
        var billedHours: Double
        var cost: Nullable<Double>
        var capped: Bool
    }

    struct RoleOutput: Encodable, Sendable {
        var serverType: String?
        var pricePerHour: Nullable<Double>
        var nodes: Int
        var running: Int
        var peak: Int
        var nodeHours: Double
        var billedHours: Double
        var cost: Nullable<Double>
        var alwaysOnHours: Double
        var alwaysOnCost: Nullable<Double>
        var saving: Nullable<Double>
    }

    struct EventOutput: Encodable, Sendable {
        /// The event label the nodes carried (the event id), null for nodes without one.
        var event: String?
        var eventId: Int64?
        var name: String?
        var start: Date?
        var end: Date?
        var period: Period
        var running: Int
        var nodeHours: Double
        var billedHours: Double
        var cost: Nullable<Double>
        var alwaysOnCost: Nullable<Double>
        var saving: Nullable<Double>
        var roles: [String: RoleOutput]
        var nodes: [NodeOutput]
    }

    struct Total: Encodable, Sendable {
        var events: Int
        var nodes: Int
        var running: Int
        var nodeHours: Double
        var billedHours: Double
        var cost: Nullable<Double>
        var alwaysOnCost: Nullable<Double>
        var saving: Nullable<Double>
    }

    var fleet: String
    var provider: String
    var currency: String
    var billing: String
    var now: Date
    var events: [EventOutput]
    var total: Total
    /// Server types without a price.
    var unpriced: [String]
    /// The snapshots the fleet keeps, when scalectl takes some role's (left out otherwise).
    var snapshots: SnapshotStorage?

    init(_ cost: FleetCost, fleet: String, provider: String, events known: [String: Event]) {
        self.fleet = fleet
        self.provider = provider
        currency = cost.billing.currency
        billing = cost.billing.rule.summary
        now = cost.now
        unpriced = cost.unpriced
        events = cost.events.map { event in
            let info = event.event.flatMap { known[$0] }
            return EventOutput(
                event: event.event, eventId: info?.id, name: info?.name, start: info?.start, end: info?.end,
                period: Period(from: event.period.start, to: event.period.end, hours: Self.round(event.period.duration / 3600)),
                running: event.running, nodeHours: Self.round(event.nodeHours), billedHours: Self.round(event.billedHours),
                cost: Self.money(event.cost), alwaysOnCost: Self.money(event.alwaysOnCost), saving: Self.money(event.saving),
                roles: Dictionary(uniqueKeysWithValues: event.roles.map { role in
                    (role.role, RoleOutput(
                        serverType: role.serverType, pricePerHour: Nullable(role.serverType.flatMap { cost.billing.prices[$0]?.hourly }),
                        nodes: role.nodes, running: role.running, peak: role.peak, nodeHours: Self.round(role.nodeHours),
                        billedHours: Self.round(role.billedHours), cost: Self.money(role.cost),
                        alwaysOnHours: Self.round(role.alwaysOn.billedHours), alwaysOnCost: Self.money(role.alwaysOn.amount),
                        saving: Self.money(role.saving)))
                }),
                nodes: event.nodes.map { node in
                    NodeOutput(
                        name: node.life.name, role: node.life.role, serverType: node.life.serverType, from: node.life.start,
                        to: Nullable(node.life.end), running: node.running, hours: Self.round(node.charge.seconds / 3600),
                        billedHours: Self.round(node.charge.billedHours), cost: Self.money(node.charge.amount), capped: node.charge.capped)
                })
        }
        total = Total(
            events: cost.events.count, nodes: cost.events.map(\.nodes.count).reduce(0, +), running: cost.running,
            nodeHours: Self.round(cost.nodeHours), billedHours: Self.round(cost.billedHours), cost: Self.money(cost.cost),
            alwaysOnCost: Self.money(cost.alwaysOnCost), saving: Self.money(cost.saving))
    }

    static func round(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
    static func money(_ value: Double?) -> Nullable<Double> { Nullable(value.map(round)) }

    // MARK: Text

    /// The report for people; `detailed` adds one line per node.
    /// - Parameter roles: the configured roles, in the file's order (others follow, sorted).
    func lines(zone: TimeZone, roles order: [String], detailed: Bool) -> [String] {
        var lines = ["cost of fleet \(fleet) on \(provider) in \(currency) (\(billing)), now \(TimeText.local(now, zone: zone))"]
        guard !events.isEmpty else { return lines + ["no node in the ledger for this report"] }
        // Money is rounded once, for the total; events and roles get the cents of their share, so the
        // printed lines add up to the printed total.
        let totalCents = total.cost.value.map(Cents.of)
        let eventCents = Cents.apportion(events.map(\.cost.value), total: totalCents ?? Cents.sum(events.map(\.cost.value)))
        for (event, cents) in zip(events, eventCents) {
            lines.append(heading(event, cents: cents, zone: zone))
            let names = order.filter({ event.roles[$0] != nil }) + event.roles.keys.filter({ !order.contains($0) }).sorted()
            let roleCosts = names.map { event.roles[$0]?.cost.value }
            let roleCents = Cents.apportion(roleCosts, total: cents ?? Cents.sum(roleCosts))
            for (name, cents) in zip(names, roleCents) {
                guard let role = event.roles[name] else { continue }
                var line = "  \(name): \(role.nodes) node\(role.nodes == 1 ? "" : "s") (peak \(role.peak)), \(Self.hours(role.nodeHours)) node-hours, \(Self.hours(role.billedHours)) billed hours"
                let types = Dictionary(grouping: event.nodes.filter { $0.role == name }) { $0.serverType ?? "unknown" }
                if types.count > 1 {
                    // A fleet mixed by fallbacks: each node is priced at its own type.
                    line += ", mixed " + types.sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }
                        .map { "\($0.key) x\($0.value.count)" }.joined(separator: ", ")
                } else if let type = role.serverType {
                    line += ", \(type)" + (role.pricePerHour.value.map { " at \(String(format: "%.4f", $0))/h" } ?? " (no price)")
                }
                lines.append(line + ": \(amount(cents))")
            }
            if event.running > 0 { lines.append("  \(event.running) still running, counted up to now") }
            if detailed {
                for node in event.nodes {
                    let until = node.to.value.map { TimeText.local($0, zone: zone) } ?? "now (running)"
                    lines.append("    \(node.name)  \(node.serverType ?? "?")  \(TimeText.local(node.from, zone: zone)) to \(until)  \(Self.hours(node.hours)) h, \(Self.hours(node.billedHours)) billed: \(amount(node.cost.value))\(node.capped ? " (monthly cap)" : "")")
                }
            }
            let to = event.period.to == now ? "now" : TimeText.local(event.period.to, zone: zone)
            lines.append("  the peak fleet kept on from \(TimeText.local(event.period.from, zone: zone)) to \(to) (\(DurationText.format(Duration(timeInterval: (event.period.hours * 60).rounded() * 60)))) would cost \(amount(event.alwaysOnCost.value)); saved \(amount(event.saving.value))")
        }
        lines.append("total: \(total.events) event\(total.events == 1 ? "" : "s"), \(total.nodes) node\(total.nodes == 1 ? "" : "s"), \(Self.hours(total.nodeHours)) node-hours, \(Self.hours(total.billedHours)) billed hours: \(amount(totalCents)); saved \(amount(total.saving.value)) against keeping each event's peak fleet on")
        return lines
    }

    /// `snapshot storage: 3 snapshots, 7.50 GB: EUR 0.09 a month at 0.0119 per GB-month`, then a line per role.
    func snapshotLines() -> [String] {
        guard let storage = snapshots else { return [] }
        let price = storage.pricePerGBMonth.map { " at \(String(format: "%.4f", $0)) per GB-month" }
            ?? " (no price: set [provider] snapshot_gb_month = PRICE_PER_GB_MONTH)"
        var lines = ["snapshot storage: \(Self.snapshots(storage.count, storage.gb)): \(monthly(storage.monthlyCost))\(price)"]
        for role in storage.roles {
            let unsized = role.unsized == 0 ? "" : " (\(role.unsized) of unknown size)"
            lines.append("  \(role.role): \(Self.snapshots(role.count, role.gb))\(unsized): \(monthly(role.monthlyCost))")
        }
        return lines
    }

    private static func snapshots(_ count: Int, _ gb: Double) -> String {
        "\(count) snapshot\(count == 1 ? "" : "s"), \(String(format: "%.2f", gb)) GB"
    }

    private func monthly(_ value: Double?) -> String {
        value.map { "\(currency) \(String(format: "%.2f", $0)) a month" } ?? "\(currency) unknown a month"
    }

    private func heading(_ event: EventOutput, cents: Int?, zone: TimeZone) -> String {
        var title: String
        if let id = event.eventId, let name = event.name, let start = event.start {
            title = "#\(id) \"\(name)\" \(TimeText.local(start, zone: zone))"
        } else if let label = event.event {
            title = "event \(label) (no longer in the calendar)"
        } else {
            title = "nodes without an event"
        }
        let count = event.nodes.count
        return "\(title): \(count) node\(count == 1 ? "" : "s"), \(Self.hours(event.nodeHours)) node-hours, \(Self.hours(event.billedHours)) billed hours: \(amount(cents))"
    }

    private func amount(_ cents: Int?) -> String {
        amount(cents.map { Double($0) / 100 })
    }

    private func amount(_ value: Double?) -> String {
        value.map { "\(currency) \(String(format: "%.2f", $0))" } ?? "\(currency) unknown (no price)"
    }

    private static func hours(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
