import Foundation
import ScaleCore
import ScaleStore

/// `scalectl status`: event, window, nodes per role with state, balancer health and readiness; last run.
public struct StatusReport: Sendable {
    public let context: AppContext

    public init(context: AppContext) { self.context = context }

    struct Output: Encodable {
        struct NodeOutput: Encodable {
            var name: String
            var id: String
            var state: String
            var ready: Bool
            var lb: Nullable<String>
            var privateIp: String?
            var publicIp: String?
            var providerStatus: String?
            var problem: String?
            var serverType: String?
            var location: String?
        }

        struct RoleOutput: Encodable {
            var desired: Int
            var loadBalancer: String?
            var nodes: [NodeOutput]
        }

        struct LastRun: Encodable {
            var id: Int64
            var command: String
            var outcome: String
            var at: Date
            var durationSeconds: Double?
            var summary: String?
            var error: String?
        }

        struct LeaderOutput: Encodable {
            var holder: String
            var command: String
            var since: Date
            var epoch: Int64
            var expires: Date
            /// False when the lease ran out: nobody leads until a controller claims it.
            var live: Bool
        }

        struct StandbyOutput: Encodable {
            var holder: String
            var seen: Date
        }

        var fleet: String
        var provider: String
        var now: Date
        var window: Nullable<WindowOutput>
        var next: Nullable<WindowOutput>
        var roles: [String: RoleOutput]
        var lock: Nullable<String>
        var leader: Nullable<LeaderOutput>
        var standby: [StandbyOutput]
        var lastRun: Nullable<LastRun>
        var overrides: [String]
        var lead: LeadAdvice
        /// Balancer → why it could not be read: its nodes' health is unknown.
        var unreadBalancers: [String: String] = [:]
    }

    public func run() async throws -> ExitStatus {
        let output = try await gather()
        if context.console.json {
            context.console.emit(output)
        } else {
            for line in lines(output) { context.console.line(line) }
        }
        return .ok
    }

    func gather() async throws -> Output {
        let fleet = context.fleet
        let coordinator = try await context.coordinator(alerting: false)
        let observed = try await coordinator.observe(coordinator.providerCalls())
        let input = try await coordinator.plannerInput(.reconcile, observed: observed)
        let overrides = input.activeOverrides
        let windows = input.windows
        let window = windows.first { $0.covers(input.now) }
        let prober = Prober(http: .shared, attemptTimeout: .seconds(3))

        var roles: [String: Output.RoleOutput] = [:]
        let known = Set(fleet.roles.map(\.name))
        let strays = Set(observed.nodes.compactMap(\.role).filter { !known.contains($0) })
        for name in fleet.roles.map(\.name) + strays.sorted() {
            let settings = fleet.role(name)
            let nodes = observed.nodes.filter { $0.role == name }
                .sorted { $0.name.localizedStandardCompare($1.name) == .orderedAscending }
            let outputs = await withTaskGroup(of: (Int, Output.NodeOutput).self) { group in
                for (index, node) in nodes.enumerated() {
                    group.addTask {
                        var problem: String?
                        if node.state == .running, let check = settings?.ready {
                            problem = await prober.check(check, node: node, role: name)
                        } else if node.state != .running {
                            problem = "not running"
                        }
                        let health = settings?.loadBalancer.flatMap { balancer in
                            observed.unreadBalancers[balancer] != nil ? BalancerHealth.unknown : observed.balancers[balancer]?[node.id]
                        }
                        return (index, Output.NodeOutput(
                            name: node.name, id: node.id, state: node.state.rawValue, ready: problem == nil,
                            lb: Nullable(health?.rawValue), privateIp: node.privateIP, publicIp: node.publicIP, providerStatus: node.providerStatus, problem: problem,
                            serverType: node.serverType, location: node.location))
                    }
                }
                var outputs: [(Int, Output.NodeOutput)] = []
                for await output in group { outputs.append(output) }
                return outputs.sorted { $0.0 < $1.0 }.map(\.1)
            }
            let desired = settings.flatMap { role in window.map { Planner.desiredCount(of: role, in: $0, overrides: overrides) } } ?? 0
            roles[name] = Output.RoleOutput(desired: desired, loadBalancer: settings?.loadBalancer, nodes: outputs)
        }
        let last = try await context.store.history(limit: 1).first?.run
        let lease = context.configuration.lease
        let leadership = try await context.store.leadership(seenSince: Date() - lease)
        let leader = leadership.lease
        return Output(
            fleet: fleet.fleet, provider: try context.provider.name, now: input.now, window: Nullable(window.map(WindowOutput.init)),
            next: Nullable(windows.first { $0.start > input.now }.map(WindowOutput.init)), roles: roles,
            lock: Nullable(try await context.store.lockHolder()?.description),
            leader: Nullable(leader.map {
                Output.LeaderOutput(holder: $0.holder.description, command: $0.command, since: $0.since, epoch: $0.epoch, expires: $0.expires, live: $0.isLive(at: Date()))
            }),
            standby: leadership.controllers.filter { $0.controller != leader?.holder && $0.command == "daemon" }
                .map { Output.StandbyOutput(holder: $0.controller.description, seen: $0.seen) },
            lastRun: Nullable(last.map { run in
                Output.LastRun(
                    id: run.id, command: run.command, outcome: run.outcome.rawValue, at: run.at,
                    durationSeconds: run.endedAt.map { $0.timeIntervalSince(run.startedAt) }, summary: run.summary, error: run.error)
            }),
            overrides: overrides.map { $0.summary(zone: fleet.timeZone) },
            lead: await context.leadAdvice(next: window == nil ? windows.first { $0.start > input.now }?.primary : nil),
            unreadBalancers: observed.unreadBalancers)
    }

    func lines(_ output: Output) -> [String] {
        let zone = context.fleet.timeZone
        var lines = ["fleet \(output.fleet) on \(output.provider), now \(TimeText.local(output.now, zone: zone))"]
        if let window = output.window.value {
            lines.append("event: #\(window.eventId) \"\(window.event)\" \(TimeText.local(window.eventStart, zone: zone)) to \(TimeText.local(window.eventEnd, after: window.eventStart, zone: zone)); fleet window \(TimeText.local(window.start, after: window.eventStart, zone: zone)) to \(TimeText.local(window.end, after: window.eventStart, zone: zone))")
        } else {
            lines.append("event: none now" + (output.next.value.map { "; next #\($0.eventId) \"\($0.event)\" at \(TimeText.local($0.eventStart, zone: zone)), scale-up from \(TimeText.local($0.start, after: $0.eventStart, zone: zone))" } ?? ""))
        }
        for name in context.fleet.roles.map(\.name) + output.roles.keys.filter({ name in !context.fleet.roles.contains { $0.name == name } }).sorted() {
            guard let role = output.roles[name] else { continue }
            let running = role.nodes.filter { $0.state == "running" }.count
            var head = "\(name): \(role.desired) wanted, \(role.nodes.count) present, \(running) running"
            if let balancer = role.loadBalancer { head += ", \(role.nodes.filter { $0.lb.value == "healthy" }.count) healthy on \(balancer)" }
            if let balancer = role.loadBalancer, let problem = output.unreadBalancers[balancer] {
                head += " (health unknown: \(balancer) cannot be read: \(problem))"
            }
            head += ", \(role.nodes.filter(\.ready).count) ready"
            lines.append(head)
            for node in role.nodes {
                var line = "  \(node.name)  id \(node.id)  \(node.state)"
                // A node on no private network (Hetzner without `network`) is shown by its public address.
                switch (node.privateIp, node.publicIp) {
                case (let ip?, _): line += "  \(ip)"
                case (nil, let ip?): line += "  \(ip) (public)"
                case (nil, nil): line += "  no address"
                }
                if role.loadBalancer != nil { line += "  lb \(node.lb.value ?? "not attached")" }
                if let type = node.serverType { line += "  \(type)" + (node.location.map { " in \($0)" } ?? "") }
                line += node.ready ? "  ready" : "  not ready: \(node.problem ?? "?")"
                lines.append(line)
            }
        }
        if let leader = output.leader.value {
            let who = leader.command == "daemon" ? "the daemon" : "`scalectl \(leader.command)`"
            lines.append(leader.live
                ? "leader: \(who), \(leader.holder), since \(TimeText.local(leader.since, zone: zone)) (lease epoch \(leader.epoch), until \(TimeText.local(leader.expires, zone: zone)))"
                : "leader: none (the last, \(who) \(leader.holder) at epoch \(leader.epoch), let its lease run out at \(TimeText.local(leader.expires, zone: zone)))")
        }
        for standby in output.standby { lines.append("standby: the daemon, \(standby.holder), seen \(TimeText.local(standby.seen, zone: zone))") }
        if let lock = output.lock.value { lines.append("running now: \(lock)") }
        if let run = output.lastRun.value {
            lines.append("last run: #\(run.id) \(run.command) \(run.outcome) at \(TimeText.local(run.at, zone: zone))"
                + (run.durationSeconds.map { String(format: " (%.1fs)", $0) } ?? "") + (run.summary.map { ": \($0)" } ?? "")
                + (run.error.map { "; error: \($0)" } ?? ""))
        }
        if !output.overrides.isEmpty {
            lines.append("overrides in force:")
            lines += output.overrides.map { "  \($0)" }
        }
        let (advice, warning) = output.lead.lines(zone: zone)
        lines.append(advice)
        if let warning { lines.append(warning) }
        return lines
    }
}
