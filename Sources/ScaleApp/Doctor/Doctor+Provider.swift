import Foundation
import ScaleCore

/// The checks that ask the provider, every call through `ProviderCalls`. When the credentials fail,
/// the others are skipped rather than failing one by one for the same reason.
extension Doctor {
    func providerChecks(_ scene: Scene) async -> [DoctorCheck] {
        let fleet = context.fleet
        let bundle: ProviderBundle
        let calls: ProviderCalls
        do {
            bundle = try context.providerBundle()
            calls = try context.providerCalls()
        } catch {
            return [DoctorCheck(
                id: "credentials", title: "credentials", status: .failed, detail: "\(error)",
                fix: "give the provider's credentials as the configuration says (environment variable or file), then run doctor again")]
                + skipped("the credentials check failed")
        }
        let provider = bundle.provider
        let nodes: [Node]
        do {
            nodes = try await calls.call("list", "list nodes") { try await provider.listNodes() }
        } catch {
            let fix = "check the provider's credentials (the token or keys, their project or account, their permissions) and the endpoint"
            return [DoctorCheck.failed("credentials", "credentials", error, fix: fix)] + skipped("the credentials check failed")
        }
        var checks = [DoctorCheck(
            id: "credentials", title: "credentials", status: .ok,
            detail: "\(provider.name) answered a read-only call: \(nodes.count) node\(nodes.count == 1 ? "" : "s") of fleet \(fleet.fleet) listed")]
        for role in fleet.roles { checks.append(await snapshotCheck(role, provider: provider, calls: calls, scene: scene)) }
        checks += await dailySnapshotChecks(bundle: bundle, calls: calls, scene: scene)
        for balancer in balancers { checks.append(await balancerCheck(balancer, bundle: bundle, calls: calls)) }
        checks += await serverTypeChecks(bundle: bundle, calls: calls, scene: scene)
        checks.append(await quotaCheck(bundle: bundle, calls: calls, nodes: nodes, scene: scene))
        return checks
    }

    /// Balancer name → the roles that name it, in the file's order.
    private var balancers: [(name: String, roles: [String])] { grouped { $0.loadBalancer } }
    /// Server type → the roles that may use it (preferred or fallback).
    private var serverTypes: [(name: String, roles: [String])] { grouped { $0.serverTypes } }

    private func grouped(_ key: (RoleSettings) -> String?) -> [(name: String, roles: [String])] {
        grouped { key($0).map { [$0] } ?? [] }
    }

    private func grouped(_ keys: (RoleSettings) -> [String]) -> [(name: String, roles: [String])] {
        var order: [String] = []
        var roles: [String: [String]] = [:]
        for role in context.fleet.roles {
            for value in keys(role) {
                if roles[value] == nil { order.append(value) }
                roles[value, default: []].append(role.name)
            }
        }
        return order.map { ($0, roles[$0] ?? []) }
    }

    /// Every server type of every role, in every placement (`locations`, `subnet_ids`): orderable now and
    /// priced. A type that cannot be ordered somewhere is a warning while the role has a choice left
    /// there, hours before the show; a role left with no choice anywhere fails.
    func serverTypeChecks(bundle: ProviderBundle, calls: ProviderCalls, scene: Scene) async -> [DoctorCheck] {
        var results: [(type: (name: String, roles: [String]), checks: [DoctorCheck])] = []
        for type in serverTypes {
            var perPlace: [DoctorCheck] = []
            for place in context.fleet.places { perPlace.append(await serverTypeCheck(type, in: place, bundle: bundle, calls: calls, scene: scene)) }
            results.append((type, perPlace))
        }
        let usable = Set(results.filter { $0.checks.contains { $0.status != .failed } }.map(\.type.name))
        let prices = context.configuration.provider.billing.prices
        return results.map { type, perPlace in
            var check = Self.merged(perPlace)
            if check.status == .failed, perPlace.contains(where: { $0.status != .failed }) { check.status = .warning }
            if check.status == .failed {
                let fallbacks = type.roles.compactMap { name -> String? in
                    let others = context.fleet.role(name)?.serverTypes.filter { $0 != type.name && usable.contains($0) } ?? []
                    return others.isEmpty ? nil : "\(name) falls back to \(others.joined(separator: ", "))"
                }
                if fallbacks.count == type.roles.count {
                    check.status = .warning
                    check.detail += "; " + fallbacks.joined(separator: "; ")
                }
            }
            if !prices.isEmpty, prices[type.name] == nil {
                check.detail += "; no price for \(type.name): cost cannot price its nodes"
                check.fix = check.fix ?? "add \(type.name) to [provider.prices]"
                if check.status == .ok { check.status = .warning }
            }
            return check
        }
    }

    /// One check of a type over several places: each place's answer, the worst status first.
    private static func merged(_ checks: [DoctorCheck]) -> DoctorCheck {
        let rank: [DoctorCheck.Status: Int] = [.failed: 0, .warning: 1, .skipped: 2, .ok: 3]
        var check = checks.min { rank[$0.status, default: 3] < rank[$1.status, default: 3] } ?? checks[0]
        check.detail = checks.map(\.detail).joined(separator: "; ")
        return check
    }

    private func skipped(_ reason: String) -> [DoctorCheck] {
        let detail = "not checked: \(reason)"
        return context.fleet.roles.map { DoctorCheck(id: "snapshot.\($0.name)", title: "snapshot \($0.name)", status: .skipped, detail: detail, role: $0.name) }
            + context.fleet.roles.filter { $0.snapshot.template != nil }.map {
                DoctorCheck(id: "daily-snapshot.\($0.name)", title: "daily snapshot \($0.name)", status: .skipped, detail: detail, role: $0.name)
            }
            + balancers.map { DoctorCheck(id: "load-balancer.\($0.name)", title: "load balancer \($0.name)", status: .skipped, detail: detail) }
            + serverTypes.map { DoctorCheck(id: "server-type.\($0.name)", title: "server type \($0.name)", status: .skipped, detail: detail) }
            + [DoctorCheck(id: "quota", title: "quota", status: .skipped, detail: detail)]
    }

    private static func age(_ duration: Duration) -> String {
        DurationText.format(Duration(timeInterval: (duration.timeInterval / 60).rounded() * 60))
    }

    /// The newest snapshot exists and passes `max_age` now, as `up` requires, and still will when the
    /// scale-up starts (a warning: the next daily snapshot may come before).
    func snapshotCheck(_ role: RoleSettings, provider: any CloudProvider, calls: ProviderCalls, scene: Scene) async -> DoctorCheck {
        let id = "snapshot.\(role.name)"
        let title = "snapshot \(role.name)"
        let rule = role.snapshot
        let snapshot: Snapshot?
        do {
            snapshot = try await calls.call("snapshot", "find the newest snapshot for \(role.name)") {
                try await provider.newestSnapshot(role: role.name, selector: rule.selector)
            }
        } catch {
            return .failed(id, title, role: role.name, error)
        }
        guard let snapshot else {
            return DoctorCheck(
                id: id, title: title, status: .failed, detail: "no snapshot of role \(role.name) matches \(rule.described)",
                fix: rule.matching == .labels
                    ? "check the daily snapshot job, and that its snapshots carry the labels \(rule.selector) (roles.\(role.name).snapshot.labels)"
                    : "check the daily snapshot job, and that its snapshots' names start with \(rule.selector) (roles.\(role.name).snapshot.name_prefix)",
                role: role.name)
        }
        let described = "\"\(snapshot.name)\" (id \(snapshot.id))"
        let age = scene.now.since(snapshot.createdAt)
        let limit = DurationText.format(rule.maxAge)
        if age > rule.maxAge {
            return DoctorCheck(
                id: id, title: title, status: .failed,
                detail: "the newest, \(described), is \(Self.age(age)) old, more than max_age \(limit): up would refuse it",
                fix: "take a fresh snapshot of a \(role.name) node (did the daily job run?), or raise roles.\(role.name).snapshot.max_age",
                role: role.name)
        }
        if let start = scene.scaleUp, start.since(snapshot.createdAt) > rule.maxAge {
            return DoctorCheck(
                id: id, title: title, status: .warning,
                detail: "\(described) is \(Self.age(age)) old now and will be \(Self.age(start.since(snapshot.createdAt))) old when the scale-up starts at \(TimeText.local(start, zone: context.fleet.timeZone)), more than max_age \(limit)",
                fix: "the daily snapshot must be taken before then, or raise roles.\(role.name).snapshot.max_age", role: role.name)
        }
        return DoctorCheck(id: id, title: title, status: .ok, detail: "\(described) is \(Self.age(age)) old (max_age \(limit))", role: role.name)
    }

    func balancerCheck(_ balancer: (name: String, roles: [String]), bundle: ProviderBundle, calls: ProviderCalls) async -> DoctorCheck {
        let provider = bundle.provider
        let id = "load-balancer.\(balancer.name)"
        let title = "load balancer \(balancer.name)"
        let roles = balancer.roles.joined(separator: ", ")
        guard let lookup = bundle.balancerLookup else {
            return DoctorCheck(id: id, title: title, status: .skipped, detail: "not checked: \(provider.name) cannot look load balancers up")
        }
        do {
            let exists = try await calls.call("balancer", "look up load balancer \(balancer.name)") { try await lookup.balancerExists(balancer.name) }
            guard exists else {
                return DoctorCheck(
                    id: id, title: title, status: .failed,
                    detail: "there is no load balancer named \(balancer.name) (named by \(roles)) at \(provider.name)",
                    fix: "create it with its services and health checks, or fix roles.\(balancer.roles[0]).load_balancer")
            }
            let problem = try await calls.call("balancer", "look up load balancer \(balancer.name)") {
                try await lookup.placementProblem(with: balancer.name)
            }
            if let problem {
                return DoctorCheck(
                    id: id, title: title, status: .failed, detail: "exists (\(roles)), but \(problem)",
                    fix: context.configuration.provider.kind == "digitalocean"
                        ? "create droplets in the balancer's region ([provider] region), or use a balancer of that region"
                        : "list only locations of the balancer's network zone in [provider] locations")
            }
            let note = try await calls.call("balancer", "look up load balancer \(balancer.name)") { try await lookup.joinNote(for: balancer.name) }
            let detail = "exists (\(roles))" + (note.map { "; \($0)" } ?? "")
            let unprobed = balancer.roles.filter { context.fleet.role($0)?.ready == nil }
            if !context.fleet.balancerReportsHealth, !unprobed.isEmpty {
                return DoctorCheck(
                    id: id, title: title, status: .warning,
                    detail: detail + "; \(provider.name) reports no health per node and \(unprobed.joined(separator: ", ")) has no readiness probe: nothing checks those nodes after they join",
                    fix: "add ready = { http = \"http://{private_ip}:PORT/health\", within = \"5m\" } to roles.\(unprobed[0]), checking what the balancer checks")
            }
            return DoctorCheck(id: id, title: title, status: .ok, detail: detail)
        } catch {
            return .failed(id, title, error)
        }
    }

    func serverTypeCheck(_ type: (name: String, roles: [String]), in location: String?, bundle: ProviderBundle, calls: ProviderCalls, scene: Scene) async -> DoctorCheck {
        let provider = bundle.provider
        let id = "server-type.\(type.name)"
        let title = "server type \(type.name)"
        let roles = type.roles.joined(separator: ", ")
        guard let catalog = bundle.serverTypes else {
            return DoctorCheck(id: id, title: title, status: .skipped, detail: "not checked: \(provider.name) cannot tell")
        }
        let answer: TypeAvailability
        do {
            answer = try await calls.call("server-type", "read server type \(type.name)") { try await catalog.availability(of: type.name, in: location) }
        } catch {
            return .failed(id, title, error)
        }
        let change = "set another server_type for \(roles), or another location"
        switch answer {
        case .orderable(let place, let note):
            return DoctorCheck(id: id, title: title, status: .ok, detail: "can be ordered in \(place) (\(roles))" + (note.map { "; \($0)" } ?? ""))
        case .deprecated(let place, let until):
            let when = TimeText.local(until, zone: context.fleet.timeZone)
            if let start = scene.scaleUp ?? scene.window.map({ _ in scene.now }), until <= start {
                return DoctorCheck(
                    id: id, title: title, status: .failed,
                    detail: "\(type.name) is deprecated in \(place): it can be ordered only until \(when), before the next scale-up (\(roles))",
                    fix: change)
            }
            return DoctorCheck(
                id: id, title: title, status: .warning, detail: "\(type.name) is deprecated in \(place): it can be ordered until \(when) (\(roles))",
                fix: change + " before then")
        case .unavailable(let place, let reason):
            return DoctorCheck(
                id: id, title: title, status: .failed, detail: "cannot be ordered in \(place) (\(roles)): \(reason)",
                fix: change + ", or check again later")
        case .unknown(let reason):
            return DoctorCheck(id: id, title: title, status: .skipped, detail: "not checked: \(reason)")
        }
    }

    /// The servers of the project, less this fleet's nodes the window keeps, plus what its scale-up
    /// wants, against the provider's limit or `[provider] server_limit`, the lower of the two.
    func quotaCheck(bundle: ProviderBundle, calls: ProviderCalls, nodes: [Node], scene: Scene) async -> DoctorCheck {
        let provider = bundle.provider
        let configured = context.configuration.serverLimit
        guard let reporter = bundle.quota else {
            return DoctorCheck(id: "quota", title: "quota", status: .skipped, detail: "not checked: \(provider.name) cannot count its servers")
        }
        let quota: ServerQuota
        do {
            quota = try await calls.call("quota", "count servers") { try await reporter.serverQuota() }
        } catch {
            return .failed("quota", "quota", error)
        }
        var detail = "\(quota.used) server\(quota.used == 1 ? "" : "s") in the \(quota.scope)"
        var projected = quota.used
        var atMinimum = quota.used
        if let window = scene.window {
            let counts = context.fleet.roles.map { ($0, Planner.desiredCount(of: $0, in: window, overrides: scene.overrides)) }
            let wanted = counts.map(\.1).reduce(0, +)
            let kept = nodes.filter { $0.event == window.primary.label }.count
            projected = quota.used - kept + wanted
            atMinimum = quota.used - kept + counts.map { $0.0.minimum(of: $0.1) }.reduce(0, +)
            detail += (kept > 0 ? " (\(kept) of them \(window.primary.title)'s)" : "")
                + "; \(window.primary.title) wants \(wanted): \(projected) at its peak"
        }
        guard let limit = [quota.limit, configured].compactMap({ $0 }).min() else {
            return DoctorCheck(id: "quota", title: "quota", status: .ok, detail: detail + "; no limit known (set [provider] server_limit to check one)")
        }
        let which = limit == quota.limit ? "the \(provider.name) limit" : "server_limit"
        if projected > limit, atMinimum <= limit {
            return DoctorCheck(
                id: "quota", title: "quota", status: .warning,
                detail: detail + ", more than \(which) \(limit): the scale-up will be short, every role gets its min first in priority order (plan shows who gets what)",
                fix: "lower the event's counts (scalectl override set ROLE N --event ID), delete servers nobody needs, or have the limit raised (and server_limit with it)")
        }
        guard projected <= limit else {
            return DoctorCheck(
                id: "quota", title: "quota", status: .failed, detail: detail + ", more than \(which) \(limit)",
                fix: "lower the event's counts (scalectl override set ROLE N --event ID), delete servers nobody needs, or have the limit raised (and server_limit with it)")
        }
        return DoctorCheck(id: "quota", title: "quota", status: .ok, detail: detail + " of \(which) \(limit)")
    }
}
