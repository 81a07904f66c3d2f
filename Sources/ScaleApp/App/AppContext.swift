import Foundation
import Logging
import Synchronization
import ScaleCore
import ScalePostgres
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

/// A loaded configuration wired to its state store, clock, provider and output.
public final class AppContext: Sendable {
    public let configuration: Configuration
    public let store: any StateStore
    public let clock: any ScaleClock
    public let console: Console
    public let logger: Logger
    let environment: [String: String]
    private let built = Mutex<ProviderBundle?>(nil)
    private let learned = Mutex<LeadEstimate?>(nil)
    /// What this process holds the leader lease as between runs: nil for a one-shot command (it gives the
    /// lease up after its run), `daemon` for the daemon, which keeps it.
    let leaseCommand = Mutex<String?>(nil)

    /// The fleet's settings as configured (with `lead = "auto"`, the configured lead; see ``fleetNow()``).
    public var fleet: FleetSettings { configuration.fleet }

    /// Loads the configuration and opens the state store. Nothing is changed; the provider is built when
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
        store = try Self.openStore(configuration, logger: logger, environment: environment)
    }

    /// The configured state store: SQLite at a path (the default), or PostgreSQL, which connects on first use.
    /// - Throws: ``ConfigError`` when the PostgreSQL password's variable or file is missing; ``StoreError``
    ///   when the SQLite file cannot be opened.
    static func openStore(_ configuration: Configuration, logger: Logger, environment: [String: String]) throws -> any StateStore {
        guard let postgres = configuration.postgres else { return try Store(path: configuration.database, fleet: configuration.fleet.fleet) }
        let location = try postgres.resolved(configFile: configuration.file, environment: environment)
        return PostgresStore(location: location, fleet: configuration.fleet.fleet, logger: logger)
    }

    /// The fleet's settings for a run now: with `lead = "auto"` the lead is the one learned from past
    /// scale-ups (at least five minutes).
    public func fleetNow() async -> FleetSettings {
        var fleet = configuration.fleet
        if configuration.leadIsAuto { fleet.lead = max(await leadEstimate().needed ?? fleet.lead, .seconds(300)) }
        return fleet
    }

    /// What past scale-ups took, for the lead (auto or advice); read from the journal when first needed.
    func leadEstimate() async -> LeadEstimate {
        if let known = learned.withLock({ $0 }) { return known }
        let history = (try? await store.scaleUps(limit: LeadAdvice.window)) ?? []
        let fresh = LeadEstimate(history: history, safety: configuration.leadSafety)
        return learned.withLock { known in
            known = known ?? fresh
            return known ?? fresh
        }
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
            let made = try ProviderFactory.make(configuration, clock: clock, logger: logger, environment: environment)
            bundle = made
            return made
        }
    }

    public var provider: any CloudProvider { get throws { try providerBundle().provider } }

    /// Whether the lead gives the next event's scale-up enough time.
    func leadAdvice(next: Event?) async -> LeadAdvice {
        let fleet = await fleetNow()
        return LeadAdvice(estimate: await leadEstimate(), auto: configuration.leadIsAuto, lead: fleet.lead, next: next, zone: fleet.timeZone)
    }

    public func providerCalls() throws -> ProviderCalls {
        let bundle = try providerBundle()
        return ProviderCalls(
            provider: bundle.provider.name, policy: configuration.retry, clock: clock, logger: logger, rateLimit: bundle.rateLimit)
    }

    /// The run coordinator for this configuration: the provider, the state store, the alert channels
    /// (the console, `[alerts]`, then `extraChannels`), readiness probes and progress on the console.
    /// - Parameter alerting: false for commands that only look (`plan`, `status`): they need no alert secret.
    /// - Throws: ``ConfigError`` when a credential or an alert secret is missing: nothing was touched.
    public func coordinator(extraChannels: [any AlertChannel] = [], alerting: Bool = true) async throws -> RunCoordinator {
        // Credentials and the provider first: a configuration problem must change nothing, not even the lock.
        let bundle = try providerBundle()
        let alerts = alerting
            ? try alertDispatcher(extra: extraChannels)
            : AlertDispatcher(channels: [], log: store, clock: clock, logger: logger)
        let fleet = await fleetNow()
        var coordinator = RunCoordinator(
            store: store, bundle: bundle, fleet: fleet, execution: configuration.execution, retry: configuration.retry,
            alerts: alerts, prober: Prober(http: .shared),
            progress: ConsoleProgress(console: console, clock: clock, zone: fleet.timeZone), clock: clock, logger: logger)
        coordinator.historyKeep = configuration.historyKeep
        coordinator.leasing = Leasing(store: store, ttl: configuration.lease, command: leaseCommand.withLock { $0 })
        coordinator.keepScaleUps = LeadAdvice.window
        return coordinator
    }

    /// The planner's view of now without observing the provider: the calendar and overrides as the
    /// planner reads them (for schedules and checks that need no provider).
    public func plannerInput(_ command: Command, observed: Observation = Observation(nodes: [])) async throws -> PlannerInput {
        try await PlannerInput.read(store, command: command, now: clock.now(), settings: await fleetNow(), observed: observed)
    }
}
