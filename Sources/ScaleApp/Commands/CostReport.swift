import Foundation
import ScaleCore
import ScaleStore

/// `scalectl cost`: node-hours, billed hours and money per event, from the node ledger (what was really
/// created and deleted, at the controller's instants), priced under the provider's billing rule; and
/// the snapshot storage the fleet keeps. The ledger is read from the database only; the snapshots are
/// listed at the provider (one call per role with `snapshot.from`), and when that fails the rest is
/// still reported, with a warning.
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
        var output = try await output(cost)
        if eventID == nil {
            do {
                output.snapshots = try await snapshotStorage()
            } catch {
                context.console.problem("warning: the fleet's snapshots could not be listed, so their storage is left out: \(error)")
            }
        }
        if context.console.json {
            context.console.emit(output)
        } else {
            for line in output.lines(zone: zone, roles: context.fleet.roles.map(\.name), detailed: eventID != nil) { context.console.line(line) }
            for line in output.snapshotLines() { context.console.line(line) }
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

    /// The snapshots this fleet keeps, role by role, for the roles whose snapshots scalectl takes
    /// (`snapshot.from`); nil when there are none or the provider cannot take them. The one provider call of `cost`.
    func snapshotStorage() async throws -> SnapshotStorage? {
        let roles = context.fleet.roles.filter { $0.snapshot.template != nil }.map(\.name)
        guard !roles.isEmpty, let taker = try context.providerBundle().snapshots else { return nil }
        let calls = try context.providerCalls()
        var images: [(role: String, images: [ImageRecord])] = []
        for role in roles {
            images.append((role, try await calls.call("snapshot", "list the \(role) snapshots") { try await taker.ownedImages(role: role) }))
        }
        return SnapshotStorage(images: images, pricePerGBMonth: context.configuration.snapshotGBMonth)
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
