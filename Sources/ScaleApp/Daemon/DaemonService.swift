import Foundation
import Logging
import ScaleCore
import ServiceLifecycle

/// `scalectl daemon`: the long-running controller. It reconciles on its schedule (see ``DaemonLoop``),
/// serves metrics when configured, and on SIGTERM or SIGINT stops the current step safely (the run is
/// marked interrupted; the next run observes and converges).
public struct Daemon: Sendable {
    public let context: AppContext
    public let control: Control
    let metrics: Metrics

    public init(context: AppContext, control: Control) {
        self.context = context
        self.control = control
        metrics = Metrics(fleet: context.fleet.fleet, roles: context.fleet.roles.map(\.name))
        context.leaseCommand.withLock { $0 = "daemon" }  // kept between runs, not given up after each
    }

    /// One reconcile as the daemon runs it: the lead learned afresh, the outcome recorded in the metrics,
    /// a failure reported rather than thrown. The soak benchmark calls it in a loop.
    public func reconcileOnce() async -> ExitStatus {
        context.refreshLead()
        let started = ContinuousClock.now
        do {
            let outcome = try await control.perform(.reconcile)
            await metrics.record(outcome, took: (ContinuousClock.now - started).timeInterval, at: context.clock.now())
            return outcome.status
        } catch is LeaseHeld {
            return .ok  // standing by: ``Leadership`` says so when it changes
        } catch {
            let status = ExitStatus.of(error)
            context.console.problem("daemon: \(error)")
            await metrics.record(ControlOutcome(status: status), took: (ContinuousClock.now - started).timeInterval, at: context.clock.now())
            return status
        }
    }

    public func run(metricsAddress: String?) async throws -> ExitStatus {
        var services: [any Service] = [Leadership(daemon: self), Controller(daemon: self)]
        if let address = metricsAddress ?? context.configuration.daemon.metrics {
            let context = self.context
            let console = context.console
            let access = try Self.access(address, context.configuration, environment: context.environment)
            let listening: @Sendable (String) -> Void = { console.line("daemon: metrics on http://\($0)/metrics and /status; the page on http://\($0)/") }
            let page: @Sendable () async -> HTML = {
                do {
                    return PageDocument(data: try await PageData.gather(context), refresh: PageResponses.refresh).html
                } catch {
                    return PageDocument.wrap(title: "scalectl", refresh: PageResponses.refresh, body: "<main><section><h2>scalectl</h2><p class=\"bad\">The page could not be made: \(String(describing: error))</p></section></main>")
                }
            }
            services.append(try MetricsServer(address: address, metrics: metrics, access: access, logger: context.logger, listening: listening, page: page) {
                do {
                    let output = try await StatusReport(context: context).gather()
                    return (200, try JSONOutput.encoder.encode(output))
                } catch {
                    return (503, Data("{\"error\": \(String(reflecting: "\(error)"))}".utf8))
                }
            })
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: context.logger))
        context.console.line("daemon: fleet \(context.fleet.fleet) on \(try context.provider.name); reconciling every \(DurationText.format(context.configuration.daemon.interval)) inside windows and at every window edge")
        try await group.run()
        context.console.line("daemon: stopped")
        return .ok
    }

    /// The HTTP address's access rule: open on loopback without a token; any other address needs one.
    /// - Throws: ``ConfigError`` naming `[daemon] token_env` when another address has no token, or when
    ///   the token's variable or file is unset or empty.
    static func access(_ address: String, _ configuration: Configuration, environment: [String: String]) throws -> PageAccess {
        guard let token = configuration.daemon.token else {
            guard let (host, _) = Configuration.DaemonSettings.listenAddress(address), !Configuration.DaemonSettings.isLoopback(host) else {
                return PageAccess(token: nil)
            }
            throw ConfigError(
                file: configuration.file, key: "daemon.token_env",
                problem: "the daemon's HTTP address \(address) is not loopback, so it needs a token: set [daemon] token_env (or token_file) to where the token is, or listen on 127.0.0.1")
        }
        return PageAccess(token: try token.read(configFile: configuration.file, environment: environment))
    }

    /// The reconcile loop as a service.
    struct Controller: Service {
        let daemon: Daemon

        func run() async throws {
            let (context, metrics) = (daemon.context, daemon.metrics)
            if let unfinished = try await context.store.history(limit: 1).first?.run, unfinished.outcome == .running {
                context.console.line("daemon: run #\(unfinished.id) (\(unfinished.command), pid \(unfinished.pid) on \(unfinished.host)) did not finish; resuming: the first reconcile takes over and converges")
            }
            var loop = DaemonLoop(
                clock: context.clock, interval: context.configuration.daemon.interval, watch: context.configuration.daemon.watch,
                schedule: {
                    let input = try await context.plannerInput(.reconcile)
                    return (input.windows, input.activeOverrides)
                },
                fingerprint: {
                    await CalendarSync.runIfDue(context: context)  // feeds due for a sync change the calendar first
                    // Taking the lead changes it too: the new leader runs at once, resuming from the journal.
                    return try await context.store.calendarFingerprint() + "|lead \(await metrics.leadEpoch.map(String.init) ?? "-")"
                },
                // Only ``Leadership`` takes the lead (and says so): a daemon standing by does not run.
                reconcile: { [daemon] _ in await daemon.metrics.leadEpoch == nil ? .ok : await daemon.reconcileOnce() },
                nextWake: { [metrics] wake in await metrics.setNextTransition(wake?.at) },
                problem: { [console = context.console] text in console.problem(text) },
                logger: context.logger)
            loop.snapshotTimes = Dictionary(uniqueKeysWithValues: context.fleet.roles.compactMap { role in
                role.snapshot.template.map { (role.name, $0.takeAtMinutes) }
            })
            loop.zone = context.fleet.timeZone
            loop.takeSnapshots = { [daemon] roles in
                guard await daemon.metrics.leadEpoch != nil else { return .ok }  // the leader takes them
                do {
                    return try await SnapshotRun(context: context, extraChannels: daemon.control.extraChannels).run(roles: roles)
                } catch {
                    context.console.problem("daemon: snapshot: \(error)")
                    return ExitStatus.of(error)
                }
            }
            let configured = loop
            do {
                try await cancelWhenGracefulShutdown { try await configured.run() }
            } catch is CancellationError {
                // A shutdown signal: the current run was stopped safely and marked interrupted.
            }
        }
    }
}
