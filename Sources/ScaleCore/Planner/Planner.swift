import Foundation

/// Everything the planner looks at. No I/O and no clock reads happen in planning.
public struct PlannerInput: Sendable {
    public var command: Command
    /// `down --force`: tear down even inside a window or a hold.
    public var force: Bool
    public var now: Date
    public var settings: FleetSettings
    public var events: [Event]
    public var overrides: [Override]
    public var observed: Observation
    /// Role → replacement rounds already used in the current window since on-call last acted (see
    /// ``replacementBudgetStart``), read from the journal: the limit holds across runs, not per run.
    public var replacementsUsed: [String: Int] = [:]
    /// How many more servers the project may hold, when the server limit is known: roles get their
    /// `min` in priority order, then the rest in priority order.
    public var room: ServerRoom?

    public init(
        command: Command, force: Bool = false, now: Date, settings: FleetSettings, events: [Event],
        overrides: [Override] = [], observed: Observation
    ) {
        self.command = command
        self.force = force
        self.now = now
        self.settings = settings
        self.events = events
        self.overrides = overrides
        self.observed = observed
    }
}

extension PlannerInput {
    /// The overrides in force at `now` (event-scoped ones only while their event's window lasts).
    public var activeOverrides: [Override] {
        Override.inForce(overrides, events: events, lead: settings.lead, margin: settings.margin, at: now)
    }

    /// The calendar's windows as the overrides in force shape them, earliest first.
    public var windows: [Window] { Planner.windows(events, settings: settings, overrides: activeOverrides) }

    /// Since when replacements count against `replace_limit`: the start of the window covering now, or
    /// the newest override in force if on-call acted later (acting gives the roles a fresh budget).
    /// Nil outside windows.
    public var replacementBudgetStart: Date? {
        guard let window = windows.first(where: { $0.covers(now) }) else { return nil }
        return ([window.start] + activeOverrides.map(\.createdAt)).max()
    }
}

/// Room for more servers under the project's (or account's) server limit.
public struct ServerRoom: Sendable, Hashable {
    /// Servers that may still be created (never negative).
    public var free: Int
    /// The numbers, for messages: `the server limit 10 (project) with 8 servers in use`.
    public var text: String

    public init(free: Int, text: String) {
        self.free = Swift.max(0, free)
        self.text = text
    }

    public init(_ quota: ServerQuota, limit: Int) {
        self.init(
            free: limit - quota.used,
            text: "the server limit \(limit) (\(quota.scope)) with \(quota.used) server\(quota.used == 1 ? "" : "s") in use")
    }
}

/// Desired state versus observed state gives an ordered plan: a pure function.
public enum Planner {
    public static func plan(_ input: PlannerInput) -> Plan {
        let active = input.activeOverrides
        let windows = input.windows
        let current = windows.first { $0.covers(input.now) }
        let next = windows.first { $0.start > input.now }
        let hold = active.compactMap { if case .hold(let until) = $0.action { until } else { nil } }.max()
        let zone = input.settings.timeZone
        var plan = Plan(
            command: input.command, now: input.now, mode: .idle, reason: "", window: current, nextWindow: next,
            roles: [], overrides: active
        )

        if let window = current, input.command != .down {
            plan.mode = .up
            plan.reason = "\(describe(window, zone: zone)) covers now"
            plan.roles = upPlans(window: window, input: input, overrides: active)
            let violations = capViolations(plan, settings: input.settings)
            if !violations.isEmpty {
                plan.refusal = violations.joined(separator: "; ")
                    + ". Nothing was changed: lower the event's counts or the override, or raise max_nodes."
            }
            return plan
        }
        if input.command == .up {
            plan.reason = "no event now" + nextText(next, zone: zone)
            return plan
        }

        // Tearing down (down, or reconcile outside any window).
        if let window = current, !input.force {
            plan.reason = "\(describe(window, zone: zone)) covers now; not tearing down (down --force would)"
            return plan
        }
        if let hold, hold > input.now, !input.force {
            plan.reason = "the fleet is held until \(TimeText.local(hold, zone: zone)) by an override"
                + " (override list shows who and why)"
            return plan
        }
        if input.observed.nodes.isEmpty {
            plan.reason = (current == nil ? "no event now" : "forced") + " and no owned nodes left" + nextText(next, zone: zone)
            return plan
        }
        plan.mode = .down
        plan.reason = current.map { "forced teardown inside \(describe($0, zone: zone))" } ?? "no event now" + nextText(next, zone: zone)
        plan.roles = downPlans(input: input)
        return plan
    }

    /// The earliest end an event may have and still matter now: its window may reach now through the
    /// margin and the extensions in force (plus a day, so the wake-ups of the daemon see windows closing).
    /// Events ending before it need not be read.
    public static func lookBack(now: Date, settings: FleetSettings, overrides: [Override]) -> Date {
        let extended = overrides.reduce(Duration.zero) { total, override in
            if case .extend(_, let by) = override.action { total + by } else { total }
        }
        return now - settings.margin - extended - .seconds(86_400)
    }

    /// Why a plan asks for more than the caps allow (empty when within them), with the numbers.
    static func capViolations(_ plan: Plan, settings: FleetSettings) -> [String] {
        guard plan.mode == .up else { return [] }
        let event = plan.window.map { " (\($0.events.map(\.title).joined(separator: " + ")))" } ?? ""
        var problems: [String] = []
        for role in plan.roles {
            if let cap = settings.role(role.role)?.maxNodes, role.desired > cap {
                problems.append("the plan wants \(role.desired) \(role.role) nodes\(event), more than max_nodes \(cap) for \(role.role)")
            }
        }
        let total = plan.roles.map(\.desired).reduce(0, +)
        if let cap = settings.maxNodes, total > cap {
            problems.append("the plan wants \(total) nodes in all\(event), more than max_nodes \(cap) for the fleet")
        }
        return problems
    }

    /// New servers for each role under a limit of `free`: every role up to its `min` first, in priority
    /// order (higher first, then the order of the configuration), then the rest in the same order.
    /// `wanted` counts the role's nodes, `missing` those that do not exist yet.
    static func allot(_ free: Int, to roles: [(role: RoleSettings, wanted: Int, missing: Int)]) -> [String: Int] {
        let order = roles.enumerated()
            .sorted { ($0.element.role.priority, -$0.offset) > ($1.element.role.priority, -$1.offset) }
            .map(\.element)
        var left = free
        var grant: [String: Int] = [:]
        for entry in order {
            let kept = entry.wanted - entry.missing
            let toMin = Swift.max(0, Swift.min(entry.role.minimum(of: entry.wanted) - kept, entry.missing))
            grant[entry.role.name] = Swift.min(toMin, left)
            left -= grant[entry.role.name, default: 0]
        }
        for entry in order {
            let more = Swift.min(entry.missing - grant[entry.role.name, default: 0], left)
            grant[entry.role.name, default: 0] += more
            left -= more
        }
        return grant
    }

    /// The merged windows of the events, without skipped events and with extensions.
    public static func windows(_ events: [Event], settings: FleetSettings, overrides: [Override]) -> [Window] {
        var skipped = Set<Int64>()
        var extensions: [Int64: Duration] = [:]
        for override in overrides {
            switch override.action {
            case .skip(let event): skipped.insert(event)
            case .extend(let event, let by): extensions[event, default: .zero] += by
            default: break
            }
        }
        return Window.merged(
            events.filter { !skipped.contains($0.id) }, lead: settings.lead, margin: settings.margin,
            extensions: extensions
        )
    }

    /// The number of nodes of `role` wanted in `window`: the largest count of its events, unless an
    /// override sets it (an override for one of the window's events wins over a general one; the newest wins).
    public static func desiredCount(of role: RoleSettings, in window: Window, overrides: [Override]) -> Int {
        let eventIDs = Set(window.events.map(\.id))
        let sets = overrides.compactMap { override -> (specific: Bool, created: Date, count: Int)? in
            guard case .setCount(role.name, let count, let event) = override.action else { return nil }
            if let event, !eventIDs.contains(event) { return nil }
            return (event != nil, override.createdAt, count)
        }
        if let chosen = sets.max(by: { ($0.specific ? 1 : 0, $0.created) < ($1.specific ? 1 : 0, $1.created) }) {
            return chosen.count
        }
        return window.events.map { $0.counts[role.name] ?? role.count }.max() ?? role.count
    }

    private static func upPlans(window: Window, input: PlannerInput, overrides: [Override]) -> [RolePlan] {
        let settings = input.settings
        let event = window.primary.label
        let wanted = settings.roles.map { role in
            let desired = desiredCount(of: role, in: window, overrides: overrides)
            let names = (0..<desired).map {
                NodeName.make(fleet: settings.fleet, role: role.name, event: event, index: $0 + 1)
            }
            let nodes = input.observed.nodes.filter { $0.role == role.name }
            let existing = Set(nodes.map(\.name))
            return (role: role, names: names, nodes: nodes, missing: names.filter { !existing.contains($0) })
        }
        let granted = input.room.map { room in
            allot(room.free, to: wanted.map { (role: $0.role, wanted: $0.names.count, missing: $0.missing.count) })
        }
        var plans = wanted.map { entry -> RolePlan in
            let role = entry.role
            var names = entry.names
            var shortage: Shortage?
            if let room = input.room, let grant = granted?[role.name], grant < entry.missing.count {
                let dropped = Set(entry.missing.suffix(entry.missing.count - grant))
                names.removeAll { dropped.contains($0) }
                shortage = Shortage(
                    planned: names.count,
                    reason: "\(room.text) leaves room for \(room.free) more server\(room.free == 1 ? "" : "s"):"
                        + " \(role.name) gets \(grant) of the \(entry.missing.count) new it needs"
                        + " (priority \(role.priority), min \(role.minimum(of: entry.names.count)))")
            }
            return RolePlan(
                role: role.name, desired: entry.names.count, event: event,
                steps: upSteps(role: role, names: names, nodes: entry.nodes, input: input),
                replacementsUsed: input.replacementsUsed[role.name] ?? 0,
                shortage: shortage
            )
        }
        plans += strayPlans(input: input, steps: { nodes in
            [.delete(nodes.filter { $0.state != .deleting }, .extra), .awaitGone(nodes.map(\.name))]
        })
        return plans
    }

    private static func upSteps(role: RoleSettings, names: [String], nodes: [Node], input: PlannerInput) -> [Step] {
        var create: [String] = []
        var replace: [Node] = []
        var waitGone: [String] = []
        var extras: [Node] = []
        let byName = Dictionary(grouping: nodes, by: \.name)
        for name in names {
            guard let same = byName[name]?.sorted(by: preferred) else {
                create.append(name)
                continue
            }
            extras += same.dropFirst().filter { $0.state != .deleting }
            let best = same[0]
            switch best.state {
            case .running, .creating:
                break
            case .deleting:
                waitGone.append(name)
                create.append(name)
            case .off, .error, .stopping:
                replace.append(best)
                waitGone.append(name)
                create.append(name)
            }
        }
        let wanted = Set(names)
        extras += nodes.filter { !wanted.contains($0.name) && $0.state != .deleting }

        var steps: [Step] = []
        if !create.isEmpty { steps.append(.resolveSnapshot) }
        if !replace.isEmpty {
            if let balancer = role.loadBalancer {
                let members = replace.filter { input.observed.isMember($0, of: balancer) }
                if !members.isEmpty { steps.append(.detach(balancer: balancer, members)) }
            }
            steps.append(.delete(replace, .replace))
        }
        if !waitGone.isEmpty { steps.append(.awaitGone(waitGone)) }
        if !create.isEmpty { steps.append(.create(create)) }
        if !names.isEmpty {
            steps.append(.awaitRunning(names))
            if let balancer = role.loadBalancer {
                let kept = Set(nodes.filter { input.observed.isMember($0, of: balancer) && !replace.contains($0) }.map(\.name))
                let unattached = names.filter { !kept.contains($0) }
                if !unattached.isEmpty { steps.append(.attach(balancer: balancer, unattached)) }
                if input.settings.balancerReportsHealth { steps.append(.awaitHealthy(balancer: balancer, names)) }
            }
            if role.ready != nil { steps.append(.probe(names)) }
        }
        if !extras.isEmpty { steps += removal(of: extras, role: role, reason: .extra, input: input) }
        return steps
    }

    private static func downPlans(input: PlannerInput) -> [RolePlan] {
        var plans: [RolePlan] = input.settings.roles.compactMap { role in
            let nodes = input.observed.nodes.filter { $0.role == role.name }
            guard !nodes.isEmpty else { return nil }
            return RolePlan(
                role: role.name, desired: 0, event: nil,
                steps: removal(of: nodes, role: role, reason: .teardown, input: input)
            )
        }
        plans += strayPlans(input: input, steps: { nodes in
            [.delete(nodes.filter { $0.state != .deleting }, .teardown), .awaitGone(nodes.map(\.name))]
        })
        return plans
    }

    /// Detach (and drain) what the balancer holds, delete, and wait until gone.
    private static func removal(of nodes: [Node], role: RoleSettings, reason: DeleteReason, input: PlannerInput) -> [Step] {
        var steps: [Step] = []
        // A balancer that could not be read is not detached from: its members are unknown, and the nodes
        // go by their ownership labels whatever the balancer's state.
        if let balancer = role.loadBalancer, input.observed.unreadBalancers[balancer] == nil {
            let members = nodes.filter { input.observed.isMember($0, of: balancer) }
            if !members.isEmpty {
                steps.append(.detach(balancer: balancer, members))
                if input.settings.drain > .zero { steps.append(.drain(input.settings.drain)) }
            }
        }
        let deletable = nodes.filter { $0.state != .deleting }
        if !deletable.isEmpty { steps.append(.delete(deletable, reason)) }
        steps.append(.awaitGone(nodes.map(\.name)))
        return steps
    }

    /// Owned nodes whose role is not configured (any more): removed, never adopted.
    private static func strayPlans(input: PlannerInput, steps: ([Node]) -> [Step]) -> [RolePlan] {
        let known = Set(input.settings.roles.map(\.name))
        let strays = input.observed.nodes.filter { !known.contains($0.role ?? "") }
        return Dictionary(grouping: strays) { $0.role ?? "unlabelled" }
            .sorted { $0.key < $1.key }
            .map { RolePlan(role: $0.key, desired: 0, event: nil, steps: steps($0.value)) }
    }

    /// Running first, then creating, then the oldest: which of several same-named nodes to keep.
    private static func preferred(_ a: Node, _ b: Node) -> Bool {
        func rank(_ node: Node) -> Int {
            switch node.state {
            case .running: 0
            case .creating: 1
            case .stopping, .off: 2
            case .error: 3
            case .deleting: 4
            }
        }
        return (rank(a), a.createdAt ?? .distantFuture, a.id) < (rank(b), b.createdAt ?? .distantFuture, b.id)
    }

    static func describe(_ window: Window, zone: TimeZone) -> String {
        let names = window.events.map(\.title).joined(separator: " + ")
        return "the window of \(names) (\(TimeText.local(window.start, zone: zone)) to \(TimeText.local(window.end, after: window.start, zone: zone)))"
    }

    private static func nextText(_ next: Window?, zone: TimeZone) -> String {
        guard let next else { return "; no upcoming event" }
        return "; next: \(next.primary.title) at \(TimeText.local(next.primary.start, zone: zone)), scale-up from \(TimeText.local(next.start, zone: zone))"
    }
}
