import Foundation
import Logging
import Synchronization
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
    let environment: [String: String]
    private let built = Mutex<ProviderBundle?>(nil)

    /// The fleet's settings; with `lead = "auto"` the lead is the one learned from past scale-ups.
    public var fleet: FleetSettings {
        var fleet = configuration.fleet
        if configuration.leadIsAuto { fleet.lead = max(leadEstimate.needed ?? fleet.lead, .seconds(300)) }
        return fleet
    }

    /// What past scale-ups took, for the lead (auto or advice); read from the journal when first needed.
    var leadEstimate: LeadEstimate {
        if let known = learned.withLock({ $0 }) { return known }
        let fresh = LeadAdvice.estimate(store, safety: configuration.leadSafety)
        return learned.withLock { known in
            known = known ?? fresh
            return known ?? fresh
        }
    }

    private let learned = Mutex<LeadEstimate?>(nil)

    /// Loads the configuration and opens the database. Nothing is changed; the provider is built when
    /// first needed, so calendar commands need no cloud credentials.
    public init(_ options: GlobalOptions, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
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
    }

    /// Forgets what was learned of scale-ups, so the next use reads the journal again (the daemon calls
    /// it before each run, so `lead = "auto"` follows).
    public func refreshLead() {
        learned.withLock { $0 = nil }
    }

    /// The configured provider, built on first use.
    /// - Throws: ``ConfigError`` when a credential it needs is missing.
    public func providerBundle() throws -> ProviderBundle {
        try built.withLock { bundle in
            if let bundle { return bundle }
            let made = try ProviderFactory.make(configuration, store: store, clock: clock, logger: logger, environment: environment)
            bundle = made
            return made
        }
    }

    public var provider: any CloudProvider { get throws { try providerBundle().provider } }
    public var balancers: (any LoadBalancing)? { get throws { try providerBundle().balancers } }

    /// Whether the lead gives the next event's scale-up enough time.
    func leadAdvice(next: Event?) -> LeadAdvice {
        LeadAdvice(estimate: leadEstimate, auto: configuration.leadIsAuto, lead: fleet.lead, next: next, zone: fleet.timeZone)
    }

    public func providerCalls() throws -> ProviderCalls {
        let bundle = try providerBundle()
        return ProviderCalls(
            provider: bundle.provider.name, policy: configuration.retry, clock: clock, logger: logger, rateLimit: bundle.rateLimit)
    }

    /// Lists the fleet and the members of the balancers the roles name.
    public func observe(_ calls: ProviderCalls) async throws -> Observation {
        let provider = try self.provider
        let nodes = try await calls.call("list", "list nodes") { try await provider.listNodes() }
        var observation = Observation(nodes: nodes)
        guard let balancers = try self.balancers else { return observation }
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
