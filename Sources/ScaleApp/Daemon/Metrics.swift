import Foundation
import ScaleCore

/// What the daemon knows of its fleet, rendered in the Prometheus text format. Scrapes read this state;
/// they never call the provider (the request budget is for scaling).
actor Metrics {
    private let fleet: String
    private var nodes: [Node] = []
    private var desired: [String: Int] = [:]
    private var ready: [String: Int] = [:]
    private var lastRun: (ok: Bool, seconds: Double, at: Date)?
    private var runs: [String: Int] = [:]
    private var calls: [String: Int] = [:]
    private var errors: [String: Int] = [:]
    private var rateRemaining: Int?
    private var nextTransition: Date?
    private var leading: Bool?
    /// The epoch this controller leads under, nil while it stands by.
    private(set) var leadEpoch: Int64?
    private var leaseRenewals = 0
    private var leaseFailures = 0

    /// - Parameter roles: the configured roles, shown (with zeros) even before any run.
    init(fleet: String, roles: [String]) {
        self.fleet = fleet
        desired = Dictionary(uniqueKeysWithValues: roles.map { ($0, 0) })
    }

    /// Takes in one control run.
    func record(_ outcome: ControlOutcome, took seconds: Double, at instant: Date) async {
        if let observation = outcome.observation { nodes = observation.nodes }
        if let report = outcome.report {
            nodes = report.roles.flatMap(\.nodes)
            for role in report.roles {
                desired[role.role] = role.desired
                ready[role.role] = role.ready ?? role.nodes.filter { $0.state == .running }.count
            }
        } else if let plan = outcome.plan {
            for role in plan.roles { desired[role.role] = role.desired }
            if plan.mode == .idle, plan.window == nil { desired = desired.mapValues { _ in 0 } }
        }
        let outcomeName = switch outcome.status {
        case .ok: "ok"
        case .locked: "locked"
        default: "failed"
        }
        runs[outcomeName, default: 0] += 1
        lastRun = (outcome.status == .ok, seconds, instant)
        if let counters = outcome.calls {
            for (kind, count) in await counters.counts { calls[kind, default: 0] += count }
            for (kind, count) in await counters.errorCounts { errors[kind, default: 0] += count }
            rateRemaining = await counters.lastRateLimit?.remaining ?? rateRemaining
        }
    }

    func setNextTransition(_ instant: Date?) { nextTransition = instant }

    /// One claim of the leader lease, or nil when it failed.
    func recordLease(_ claim: LeaseClaim?) {
        if let claim {
            leading = claim.isLeading
            leadEpoch = claim.isLeading ? claim.lease.epoch : nil
            leaseRenewals += 1
        } else {
            leaseFailures += 1
        }
    }

    /// This controller no longer leads: stopped, or its lease ran out unrenewed.
    func stoppedLeading() {
        leading = false
        leadEpoch = nil
    }

    /// The Prometheus text exposition (version 0.0.4).
    func render() -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples {
                let labels = ([("fleet", fleet)] + sample.labels).map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
                out += "\(name){\(labels)} \(Self.number(sample.value))\n"
            }
        }
        let roles = Set(desired.keys).union(nodes.compactMap(\.role)).sorted()
        var byState: [(labels: [(String, String)], value: Double)] = []
        for role in roles {
            for state in NodeState.allCases {
                byState.append(([("role", role), ("state", state.rawValue)], Double(nodes.filter { $0.role == role && $0.state == state }.count)))
            }
        }
        family("scalectl_nodes", "gauge", "Nodes the provider lists for the fleet, by role and state.", byState)
        // A fleet mixed by fallbacks (another server type or location where the preferred one was sold out).
        let placed = Dictionary(grouping: nodes.filter { $0.role != nil }) { [$0.role ?? "", $0.serverType ?? "unknown", $0.location ?? "unknown"] }
        family(
            "scalectl_nodes_placed", "gauge", "Nodes the provider lists for the fleet, by role, server type and location.",
            placed.keys.sorted { $0.joined(separator: "\n") < $1.joined(separator: "\n") }.map { key in
                ([("role", key[0]), ("server_type", key[1]), ("location", key[2])], Double(placed[key]?.count ?? 0))
            })
        family("scalectl_nodes_desired", "gauge", "Nodes wanted per role now.", roles.map { ([("role", $0)], Double(desired[$0] ?? 0)) })
        family("scalectl_nodes_ready", "gauge", "Nodes that passed the readiness gate in the last run.", roles.map { ([("role", $0)], Double(ready[$0] ?? 0)) })
        if let lastRun {
            family("scalectl_last_run_success", "gauge", "1 when the last run succeeded.", [([], lastRun.ok ? 1 : 0)])
            family("scalectl_last_run_duration_seconds", "gauge", "How long the last run took.", [([], lastRun.seconds)])
            family("scalectl_last_run_timestamp_seconds", "gauge", "When the last run ended (Unix time).", [([], lastRun.at.timeIntervalSince1970)])
        }
        family("scalectl_runs_total", "counter", "Runs by outcome.", runs.sorted { $0.key < $1.key }.map { ([("outcome", $0.key)], Double($0.value)) })
        family("scalectl_provider_calls_total", "counter", "Provider API calls by kind.", calls.sorted { $0.key < $1.key }.map { ([("kind", $0.key)], Double($0.value)) })
        family("scalectl_provider_errors_total", "counter", "Failed provider API calls by kind.", errors.sorted { $0.key < $1.key }.map { ([("kind", $0.key)], Double($0.value)) })
        if let rateRemaining {
            family("scalectl_rate_limit_remaining", "gauge", "Requests left in the provider's budget when last seen.", [([], Double(rateRemaining))])
        }
        if let leading {
            family("scalectl_leader", "gauge", "1 when this controller leads the fleet, 0 when it stands by.", [([], leading ? 1 : 0)])
        }
        family("scalectl_lease_renewals_total", "counter", "Claims of the leader lease that the database answered.", [([], Double(leaseRenewals))])
        family("scalectl_lease_failures_total", "counter", "Claims of the leader lease that failed (the database did not answer).", [([], Double(leaseFailures))])
        if let nextTransition {
            family("scalectl_next_transition_timestamp_seconds", "gauge", "When the daemon acts next (Unix time).", [([], nextTransition.timeIntervalSince1970)])
        }
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
