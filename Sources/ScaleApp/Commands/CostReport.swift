import Foundation
import ScaleCore
import ScaleStore

/// `scalectl cost`: node-hours, billed hours and money per event, from the node ledger (what was really
/// created and deleted, at the controller's instants), priced under the provider's billing rule. It
/// reads the database only: no provider call, no credentials.
public struct CostReport: Sendable {
    public let context: AppContext

    public init(context: AppContext) { self.context = context }

    /// - Parameters:
    ///   - eventID: only this event.
    ///   - since: only events whose first node was created at or after this time (ISO 8601 or a local
    ///     time in the configured zone).
    /// - Throws: ``InputError`` for a time that does not parse or an event with no nodes in the ledger.
    public func run(eventID: Int64? = nil, since: String? = nil) async throws -> ExitStatus {
        let zone = context.fleet.timeZone
        var from: Date?
        if let since {
            do {
                from = try TimeText.parse(since, zone: zone)
            } catch {
                throw InputError("--since: \(error)")
            }
        }
        let cost = try await compute(eventID: eventID, since: from)
        if let eventID, cost.events.isEmpty {
            throw InputError("the ledger holds no node of event #\(eventID)\(from == nil ? "" : " since \(TimeText.local(from!, zone: zone))"); `scalectl cost` lists the events that have some")
        }
        let output = try await output(cost)
        if context.console.json {
            context.console.emit(output)
        } else {
            for line in output.lines(zone: zone, roles: context.fleet.roles.map(\.name), detailed: eventID != nil) { context.console.line(line) }
            for type in cost.unpriced {
                context.console.problem(
                    "warning: no price for server type \(type): its money is unknown; set [provider.prices] \(type) = PRICE_PER_HOUR")
            }
        }
        return .ok
    }

    /// `cost --json`, and the page's money: the priced ledger with the calendar's names for its events.
    func output(_ cost: FleetCost) async throws -> CostOutput {
        let labels = Set(cost.events.compactMap(\.event))
        let events = Dictionary(uniqueKeysWithValues: try await context.store.events().filter { labels.contains($0.label) }.map { ($0.label, $0) })
        return CostOutput(cost, fleet: context.fleet.fleet, provider: context.configuration.provider.kind, events: events)
    }

    /// The ledger priced now, for the events asked.
    func compute(eventID: Int64?, since: Date?) async throws -> FleetCost {
        FleetCost(
            lives: Self.lives(try await context.store.ledger()), billing: context.configuration.provider.billing, now: context.clock.now(),
            event: eventID.map(String.init), since: since)
    }

    /// The servers the ledger knows were made: from the create request to gone, or still there. Failed
    /// creates and creates still pending (no server known) are left out.
    static func lives(_ ledger: [LedgerNode]) -> [ServerLife] {
        ledger.compactMap { row in
            switch row.state {
            case .created:
                ServerLife(name: row.name, role: row.role, event: row.event, serverType: row.serverType, start: row.requestedAt, end: nil)
            case .gone:
                ServerLife(
                    name: row.name, role: row.role, event: row.event, serverType: row.serverType, start: row.requestedAt,
                    end: row.goneAt ?? row.requestedAt)
            case .pending, .failed:
                nil
            }
        }
    }
}
