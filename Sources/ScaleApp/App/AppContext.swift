import Foundation
import Logging
import ScaleCore
import ScaleProviders
import ScaleStore

/// The options every command takes.
public struct GlobalOptions: Sendable {
    public var config: String?
    public var at: String?
    public var json: Bool
    public var quiet: Bool
    public var verbose: Bool

    public init(config: String? = nil, at: String? = nil, json: Bool = false, quiet: Bool = false, verbose: Bool = false) {
        self.config = config
        self.at = at
        self.json = json
        self.quiet = quiet
        self.verbose = verbose
    }
}

/// A loaded configuration wired to its database, clock, provider and output.
public final class AppContext: Sendable {
    public let configuration: Configuration
    public let store: Store
    public let clock: any ScaleClock
    public let console: Console
    public let logger: Logger
    public let provider: any CloudProvider
    public let balancers: (any LoadBalancing)?

    public var fleet: FleetSettings { configuration.fleet }

    /// Loads the configuration, opens the database and builds the provider. Nothing is changed.
    public init(_ options: GlobalOptions, logger: Logger) throws {
        let configuration = try ConfigLoader.load(path: options.config)
        self.configuration = configuration
        if let at = options.at {
            do {
                clock = RehearsalClock(pretending: try TimeText.parse(at, zone: configuration.fleet.timeZone))
            } catch {
                throw InputError("--at: \(error)")
            }
        } else {
            clock = SystemClock()
        }
        console = Console(json: options.json, quiet: options.quiet)
        self.logger = logger
        store = try Store(path: configuration.database, fleet: configuration.fleet.fleet)
        switch configuration.provider {
        case .sim(let settings):
            let sim = try SimCloud(
                fleet: configuration.fleet.fleet, settings: settings, database: store.database, calendar: clock,
                nodeLogDirectory: URL(fileURLWithPath: configuration.database).deletingLastPathComponent()
                    .appendingPathComponent("sim-nodes").path,
                logger: logger)
            provider = sim
            balancers = sim
        }
    }

    public func providerCalls() -> ProviderCalls {
        ProviderCalls(provider: provider.name, policy: configuration.retry, clock: clock, logger: logger)
    }

    /// Lists the fleet and the members of the balancers the roles name.
    public func observe(_ calls: ProviderCalls) async throws -> Observation {
        let nodes = try await calls.call("list", "list nodes") { [provider] in try await provider.listNodes() }
        var observation = Observation(nodes: nodes)
        guard let balancers else { return observation }
        for role in fleet.roles {
            guard let balancer = role.loadBalancer else { continue }
            let members = try await calls.call("health", "read health of \(balancer)") {
                try await balancers.members(of: balancer, role: role.name)
            }
            observation.balancers[balancer, default: [:]].merge(members) { $1 }
        }
        return observation
    }

    /// The planner's view of now: calendar, overrides, configuration and what the provider lists.
    public func plannerInput(_ command: Command, force: Bool = false, observed: Observation) throws -> PlannerInput {
        let now = clock.now()
        let overrides = try store.overrides()
        let extension_ = overrides.reduce(Duration.zero) { total, override in
            if case .extend(_, let by) = override.action { total + by } else { total }
        }
        let events = try store.events(endingAfter: now - fleet.margin - extension_ - .seconds(86_400))
        return PlannerInput(
            command: command, force: force, now: now, settings: fleet, events: events, overrides: overrides, observed: observed)
    }
}
