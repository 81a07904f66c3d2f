import Foundation
import ScaleCore
import ScaleProviders
import ScaleSim

/// Reads the TOML configuration into typed values. Any problem is a ``ConfigError`` naming the key and line.
public enum ConfigLoader {
    /// Loads `path`, or the first default path that exists when `path` is nil.
    public static func load(path: String?) throws -> Configuration {
        let file: String
        if let path {
            file = path
        } else if let found = Configuration.defaultPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            file = found
        } else {
            throw ConfigError(
                file: Configuration.defaultPaths[0],
                problem: "no configuration file: pass --config FILE, or create ./scalectl.toml (see docs/configuration.md)")
        }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, problem: "cannot read the file (missing, unreadable or not UTF-8)")
        }
        return try parse(text, file: file)
    }

    /// Parses configuration text; `file` names it in messages and anchors relative paths.
    public static func parse(_ text: String, file: String) throws -> Configuration {
        let root = TOMLReader(try TOMLSource(file: file, text: text))
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        /// A path from the file, anchored at the file's directory when relative.
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : ((directory as NSString).appendingPathComponent(path) as NSString).standardizingPath
        }

        // A misspelled or misplaced table is named before the tables it hides are missed.
        try root.only(["controller", "provider", "roles", "daemon", "alerts", "calendar"])
        guard let controller = try root.table("controller") else { throw root.error("controller", "the [controller] table is required") }
        let fleetName = try controller.requiredString("fleet")
        guard NodeName.isValidPart(fleetName) else {
            throw controller.error("fleet", "\"\(fleetName)\" is not usable in node names: use 1-24 lowercase letters, digits or inner hyphens, starting with a letter")
        }
        let databasePath = try controller.string("database") ?? "scalectl.sqlite"
        let postgres = try postgresSettings(controller, database: databasePath, resolve: resolve)
        // No silent zone: local times (events, --at, display) are read in this zone, so it is written out.
        guard let zoneName = try controller.string("timezone") else {
            throw controller.error(
                "timezone",
                "is required: the IANA zone local times are read and shown in, such as timezone = \"Europe/Madrid\" (write \"UTC\" for UTC)")
        }
        guard let zone = TimeText.zone(zoneName) else {
            throw controller.error("timezone", "\"\(zoneName)\" is not an IANA time zone such as Europe/Madrid")
        }
        let leadIsAuto = try controller.string("lead") == "auto"
        let lead = leadIsAuto ? .seconds(45 * 60) : try controller.duration("lead") ?? .seconds(45 * 60)
        let leadSafety = try controller.duration("lead_safety") ?? .seconds(10 * 60)
        let margin = try controller.duration("margin") ?? .seconds(30 * 60)
        let drain = try controller.duration("drain") ?? .seconds(60)
        var execution = ExecutionSettings()
        execution.concurrency = try controller.int("concurrency", in: 1...200) ?? execution.concurrency
        execution.pollInterval = try controller.duration("poll_interval") ?? execution.pollInterval
        execution.bootTimeout = try controller.duration("boot_timeout") ?? execution.bootTimeout
        execution.healthTimeout = try controller.duration("health_timeout") ?? execution.healthTimeout
        execution.goneTimeout = try controller.duration("gone_timeout") ?? execution.goneTimeout
        execution.probeInterval = try controller.duration("probe_interval") ?? execution.probeInterval
        execution.replaceLimit = try controller.int("replace_limit", in: 0...10) ?? execution.replaceLimit
        let maxNodes = try controller.int("max_nodes", in: 0...10_000)
        let historyKeep = try controller.duration("history_keep") ?? .seconds(90 * 86_400)
        guard historyKeep >= .seconds(86_400) else {
            throw controller.error("history_keep", "\(DurationText.format(historyKeep)) is too short: keep at least 1d of history (90d is the default)")
        }
        let lease = try controller.duration("lease") ?? .seconds(30)
        guard lease >= .seconds(3) else {
            throw controller.error("lease", "\(DurationText.format(lease)) is too short: a lease is renewed every third of it; use at least 3s (30s is the default)")
        }
        try controller.finish()

        guard var providerTable = try root.table("provider") else {
            throw root.error("provider", "the [provider] table is required (kind = \"sim\" runs on the built-in simulated cloud)")
        }
        if let profile = try providerTable.string("profile") {
            let profilePath = resolve(profile)
            guard let data = FileManager.default.contents(atPath: profilePath), let profileText = String(data: data, encoding: .utf8) else {
                throw providerTable.error("profile", "cannot read the provider profile \(profilePath)")
            }
            // A profile is written like the [provider] table it fills in (`[provider]`, `[provider.prices]`),
            // or, as older profiles are, with those keys at its top level.
            let source = try TOMLSource(file: profilePath, text: profileText)
            if source.table.contains(key: "provider") {
                if let stray = source.table.keys.first(where: { $0 != "provider" }) {
                    throw ConfigError(
                        file: profilePath, key: stray, line: source.lines.line(of: [stray]),
                        problem: "a provider profile holds only [provider] and its tables (such as [provider.prices])")
                }
                providerTable = try providerTable.over(source, at: ["provider"])
            } else {
                providerTable = try providerTable.over(source)
            }
        }
        let retry = try retryPolicy(providerTable)
        let serverLimit = try providerTable.int("server_limit", in: 1...1_000_000)
        let snapshotPrice = try providerTable.number("snapshot_gb_month")
        if let snapshotPrice, snapshotPrice < 0 {
            throw providerTable.error("snapshot_gb_month", "must be a price of 0 or more per GB and month of snapshot storage, such as snapshot_gb_month = 0.0119")
        }
        var provider = try providerSettings(providerTable, resolve: resolve)

        guard let rolesTable = try root.table("roles"), !rolesTable.keys.isEmpty else {
            throw root.error("roles", "at least one role is required, such as [roles.frontal]")
        }
        let ordered = rolesTable.keys.sorted { (rolesTable.line($0) ?? .max, $0) < (rolesTable.line($1) ?? .max, $1) }
        let roles = try ordered.map { name in
            try role(
                name, in: rolesTable, fleet: fleetName, templateKeys: Template.standardKeys.union(provider.extraTemplateKeys),
                snapshotMatching: provider.snapshotMatching)
        }
        try rolesTable.finish()
        var daemon = Configuration.DaemonSettings()
        if let table = try root.table("daemon") {
            daemon.interval = try table.duration("interval") ?? daemon.interval
            daemon.watch = try table.duration("watch") ?? daemon.watch
            for key in ["http", "metrics"] {
                guard let address = try table.string(key) else { continue }
                guard Configuration.DaemonSettings.listenAddress(address) != nil else {
                    throw table.error(key, "\"\(address)\" is not host:port such as 127.0.0.1:9464")
                }
                guard daemon.metrics == nil else { throw table.error(key, "give only one of http and metrics (the same address)") }
                daemon.metrics = address
            }
            daemon.token = try secret(table, "token", literal: false, resolve: resolve)
            guard daemon.interval >= .seconds(1), daemon.watch >= .milliseconds(100) else {
                throw table.error("interval", "interval must be at least 1s and watch at least 100ms")
            }
            try table.finish()
        }
        let alerts = try alertsConfiguration(root, resolve: resolve)
        let calendar = try calendarSettings(root, resolve: resolve)
        try root.finish()

        var fleet = FleetSettings(fleet: fleetName, timeZone: zone, lead: lead, margin: margin, drain: drain, roles: roles, maxNodes: maxNodes)
        fleet.placements = provider.placements
        if case .digitalOcean(var settings) = provider {
            // Its balancers report no health per droplet; a tag-based one is joined by tagging at creation.
            fleet.balancerReportsHealth = false
            settings.roleBalancers = Dictionary(uniqueKeysWithValues: roles.compactMap { role in role.loadBalancer.map { (role.name, $0) } })
            provider = .digitalOcean(settings)
        }
        fleet.serverLimit = serverLimit
        if let serverLimit, let role = roles.first(where: { ($0.min ?? 0) > serverLimit }) {
            throw rolesTable.error(role.name, "min \(role.min ?? 0) of \(role.name) is more than the server limit \(serverLimit) ([provider] server_limit)")
        }
        var configuration = Configuration(
            file: file, database: postgres.map { $0.location.description } ?? resolve(databasePath), fleet: fleet, execution: execution, retry: retry, provider: provider,
            leadIsAuto: leadIsAuto, leadSafety: leadSafety, daemon: daemon, alerts: alerts)
        configuration.snapshotGBMonth = snapshotPrice
        configuration.historyKeep = historyKeep
        configuration.lease = lease
        configuration.calendar = calendar
        configuration.postgres = postgres
        return configuration
    }

    private static func role(
        _ name: String, in roles: TOMLReader, fleet: String, templateKeys: Set<String>, snapshotMatching: SnapshotRule.Matching
    ) throws -> RoleSettings {
        guard NodeName.isValidPart(name) else {
            throw roles.error(name, "the role name \"\(name)\" is not usable in node names: use 1-24 lowercase letters, digits or inner hyphens, starting with a letter")
        }
        guard let table = try roles.table(name) else { throw roles.error(name, "must be a table") }
        let count = try table.int("count", in: 0...1000) ?? 0
        let serverTypes = try serverTypeChoices(table)
        guard let snapshotTable = try table.table("snapshot") else {
            let example = snapshotMatching == .labels ? "labels = \"role=\(name)\"" : "name_prefix = \"\(name)-\""
            throw table.error("snapshot", "is required: snapshot = { \(example), max_age = \"30h\" }")
        }
        let snapshot = try snapshotRule(snapshotTable, role: name, fleet: fleet, matching: snapshotMatching)
        let balancer = try table.string("load_balancer")
        var ready: ReadinessCheck?
        if let readyTable = try table.table("ready") {
            let kinds = ReadinessCheck.Kind.allCases.filter { readyTable.has($0.rawValue) }
            guard kinds.count == 1, let kind = kinds.first else {
                throw table.error("ready", "give exactly one of http, tcp or command, such as ready = { http = \"http://{private_ip}:8080/health\", within = \"5m\" }")
            }
            let template = try readyTable.requiredString(kind.rawValue)
            if let unknown = Template.placeholders(in: template).first(where: { !templateKeys.contains($0) }) {
                throw readyTable.error(kind.rawValue, "the placeholder {\(unknown)} is not known here; use \(templateKeys.sorted().map { "{\($0)}" }.joined(separator: ", "))")
            }
            ready = ReadinessCheck(kind: kind, template: template, within: try readyTable.duration("within") ?? .seconds(300))
            try readyTable.finish()
        }
        let maxNodes = try table.int("max_nodes", in: 0...10_000)
        if let maxNodes, count > maxNodes {
            throw table.error("count", "\(count) is more than max_nodes \(maxNodes) for \(name)")
        }
        let minReady = try table.int("min_ready", in: 0...10_000)
        if let minReady, minReady > count {
            throw table.error("min_ready", "\(minReady) is more than count \(count): min_ready is how many of the wanted nodes may be enough")
        }
        let priority = try table.int("priority", in: -1000...1000) ?? 0
        let min = try table.int("min", in: 0...10_000)
        if let min, let maxNodes, min > maxNodes {
            throw table.error("min", "\(min) is more than max_nodes \(maxNodes) for \(name)")
        }
        try table.finish()
        let longest = NodeName.make(fleet: fleet, role: name, event: "9999999", index: count)
        guard longest.count <= 63 else {
            throw roles.error(name, "node names like \(longest) would be longer than 63 characters; shorten the fleet or role name")
        }
        return RoleSettings(
            name: name, count: count, serverType: serverTypes[0], snapshot: snapshot, loadBalancer: balancer, ready: ready,
            maxNodes: maxNodes, minReady: minReady, serverTypes: serverTypes, priority: priority, min: min)
    }

    /// `server_types = ["cpx31", "cpx41"]` (preferred first) or `server_type = "cpx31"`: one of them.
    private static func serverTypeChoices(_ table: TOMLReader) throws -> [String] {
        if let types = try table.strings("server_types") {
            guard !table.has("server_type") else {
                throw table.error("server_types", "give server_type or server_types, not both (server_types lists the preferred type first)")
            }
            try nonEmptyDistinct(types, key: "server_types", in: table, example: "server_types = [\"cpx31\", \"cpx41\"]")
            return types
        }
        guard table.has("server_type") else {
            throw table.error("server_type", "is required: server_type = \"cpx31\", or server_types = [\"cpx31\", \"cpx41\"] to fall back to the next when one is sold out")
        }
        let type = try table.requiredString("server_type")
        guard !type.isEmpty else { throw table.error("server_type", "must name a server type such as cpx31") }
        return [type]
    }

    /// Where the provider may create nodes, preferred first: the list `plural` (or nothing when the
    /// single-place key is used, which the provider reads itself).
    static func placements(_ table: TOMLReader, plural: String, singular: String, example: String) throws -> [String] {
        guard let places = try table.strings(plural) else { return [] }
        guard !table.has(singular) else {
            throw table.error(plural, "give \(singular) or \(plural), not both (\(plural) lists the preferred one first)")
        }
        try nonEmptyDistinct(places, key: plural, in: table, example: example)
        return places
    }

    private static func nonEmptyDistinct(_ items: [String], key: String, in table: TOMLReader, example: String) throws {
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else {
            throw table.error(key, "must list at least one, preferred first, such as \(example)")
        }
        if let repeated = items.first(where: { item in items.filter { $0 == item }.count > 1 }) {
            throw table.error(key, "lists \"\(repeated)\" twice")
        }
    }

    private static func retryPolicy(_ table: TOMLReader) throws -> ProviderCalls.Policy {
        var policy = ProviderCalls.Policy()
        policy.maxAttempts = try table.int("max_attempts", in: 1...20) ?? policy.maxAttempts
        policy.baseDelay = try table.duration("backoff") ?? policy.baseDelay
        policy.maxDelay = try table.duration("max_backoff") ?? policy.maxDelay
        policy.breakerThreshold = try table.int("breaker_after", in: 1...1000) ?? policy.breakerThreshold
        return policy
    }

    private static func providerSettings(_ table: TOMLReader, resolve: (String) -> String) throws -> ProviderSettings {
        let kind = try table.string("kind")
        switch kind {
        case "sim":
            var settings = try simSettings(table)
            settings.statePath = try table.string("state").map(resolve)
            try table.finish()
            return .sim(settings)
        case "hetzner":
            let settings = try hetznerSettings(table, resolve: resolve)
            try table.finish()
            return .hetzner(settings)
        case "aws":
            let settings = try awsSettings(table)
            try table.finish()
            return .aws(settings)
        case "digitalocean":
            let settings = try digitalOceanSettings(table, resolve: resolve)
            try table.finish()
            return .digitalOcean(settings)
        case nil:
            throw table.error("kind", "is required: kind = \"sim\" (the built-in simulated cloud), or a profile = \"providers/NAME.toml\" that sets it")
        case let other?:
            throw table.error("kind", "\"\(other)\" is not a provider this build knows; known: sim, hetzner, aws, digitalocean")
        }
    }

    private static func simSettings(_ table: TOMLReader) throws -> SimSettings {
        var settings = SimSettings()
        settings.apiLatency = try table.duration("api_latency") ?? settings.apiLatency
        settings.bootTime = try table.duration("boot_time") ?? settings.bootTime
        settings.bootSpread = try table.duration("boot_spread") ?? settings.bootSpread
        settings.healthDelay = try table.duration("health_delay") ?? settings.healthDelay
        settings.deleteTime = try table.duration("delete_time") ?? settings.deleteTime
        settings.snapshotDays = try table.int("snapshot_days", in: 1...60) ?? settings.snapshotDays
        settings.snapshotHour = try table.int("snapshot_hour", in: 0...23) ?? settings.snapshotHour
        settings.readinessDelay = try table.duration("readiness_delay") ?? settings.readinessDelay
        settings.snapshotTime = try table.duration("snapshot_time") ?? settings.snapshotTime
        for name in try table.strings("templates") ?? [] { settings.templates[name] = [:] }
        settings.locations = try placements(table, plural: "locations", singular: "location", example: "locations = [\"fsn1\", \"nbg1\"]")
        if let limit = try table.table("rate_limit") {
            let perHour = try limit.int("per_hour", in: 1...1_000_000) ?? 3600
            let burst = try limit.int("burst", in: 1...1_000_000) ?? perHour
            settings.rateLimit = SimRateLimit(perHour: perHour, burst: burst, initial: try limit.int("initial", in: 0...1_000_000))
            try limit.finish()
        }
        let prices = try hourlyPrices(table, currency: "EUR")
        settings.prices.merge(prices.hourly) { $1 }
        settings.monthlyPrices = prices.monthly
        if let roles = try table.table("roles") {
            for name in roles.keys {
                guard let role = try roles.table(name) else { continue }
                settings.roles[name] = SimRoleSettings(
                    bootCommand: try role.string("boot_command"), snapshotAge: try role.duration("snapshot_age"),
                    noSnapshot: try role.bool("no_snapshot") ?? false)
                try role.finish()
            }
            try roles.finish()
        }
        if let faults = try table.table("faults") {
            if let errors = try faults.table("create_errors") {
                for node in errors.keys { settings.faults.createErrors[node] = try errors.requiredString(node) }
                try errors.finish()
            }
            settings.faults.neverRunning = Set(try faults.strings("never_running") ?? [])
            if let dead = try faults.table("dead_boots") {
                for node in dead.keys { settings.faults.deadBoots[node] = try dead.int(node, in: 0...1000) }
                try dead.finish()
            }
            settings.faults.attachFailures = try faults.int("attach_failures", in: 0...1000) ?? 0
            settings.faults.attachError = try faults.string("attach_error") ?? "conflict"
            settings.faults.deleteFailures = try faults.int("delete_failures", in: 0...1000) ?? 0
            settings.faults.unavailableTypes = Set(try faults.strings("unavailable_types") ?? [])
            settings.faults.serverLimit = try faults.int("server_limit", in: 0...1_000_000)
            settings.faults.missingBalancers = Set(try faults.strings("missing_balancers") ?? [])
            settings.faults.rejectCredentials = try faults.bool("reject_credentials") ?? false
            settings.faults.snapshotFailures = try faults.int("snapshot_failures", in: 0...1000) ?? 0
            settings.faults.snapshotRefusal = try faults.string("snapshot_refusal")
            for (key, kind) in [("server_errors", "5xx"), ("rate_limited", "429"), ("timeouts", "timeout")] {
                guard let burst = try faults.table(key) else { continue }
                let after = try burst.int("after", in: 0...1_000_000) ?? 0
                let count = try burst.int("count", in: 1...1_000_000) ?? 1
                let kindValue: SimFaults.Burst.Kind = switch kind {
                case "429": .rateLimited(retryAfter: try burst.duration("retry_after") ?? .seconds(1))
                case "timeout": .timeout(after: try burst.duration("delay") ?? .seconds(1))
                default: .serverError
                }
                try burst.finish()
                settings.faults.bursts.append(SimFaults.Burst(after: after, count: count, kind: kindValue))
            }
            try faults.finish()
        }
        return settings
    }
}
