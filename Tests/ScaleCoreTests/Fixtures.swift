import Foundation
import ScaleCore

/// Small builders for planner and window tests.
enum Fixture {
    static let zone = TimeZone(identifier: "Europe/Madrid")!

    static func at(_ text: String) -> Date { try! TimeText.parse(text, zone: zone) }

    static func event(_ id: Int64, _ start: String, _ end: String, counts: [String: Int] = [:]) -> Event {
        Event(id: id, name: "Show \(id)", start: at(start), end: at(end), timeZone: zone.identifier, counts: counts)
    }

    static func settings(frontal: Int = 3, celery: Int = 2, lead: Duration = .seconds(2700), margin: Duration = .seconds(1800)) -> FleetSettings {
        FleetSettings(
            fleet: "m", timeZone: zone, lead: lead, margin: margin, drain: .seconds(60),
            roles: [
                RoleSettings(
                    name: "frontal", count: frontal, serverType: "cpx31",
                    snapshot: SnapshotRule(selector: "role=frontal", maxAge: .seconds(30 * 3600)), loadBalancer: "lb",
                    ready: ReadinessCheck(kind: .http, template: "http://{private_ip}/", within: .seconds(300))),
                RoleSettings(
                    name: "celery", count: celery, serverType: "cpx41",
                    snapshot: SnapshotRule(selector: "role=celery", maxAge: .seconds(30 * 3600))),
            ])
    }

    static func node(_ role: String, _ event: String, _ index: Int, _ state: NodeState = .running, id: String? = nil) -> Node {
        let name = NodeName.make(fleet: "m", role: role, event: event, index: index)
        return Node(
            id: id ?? name, name: name, state: state,
            labels: [OwnershipLabel.fleet: "m", OwnershipLabel.role: role, OwnershipLabel.event: event])
    }

    static func names(_ role: String, _ event: String, _ indexes: ClosedRange<Int>) -> [String] {
        indexes.map { NodeName.make(fleet: "m", role: role, event: event, index: $0) }
    }
}
