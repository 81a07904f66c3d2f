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
        } catch {
            let status = ExitStatus.of(error)
            context.console.problem("daemon: \(error)")
            await metrics.record(ControlOutcome(status: status), took: (ContinuousClock.now - started).timeInterval, at: context.clock.now())
            return status
        }
    }

    public func run(metricsAddress: String?) async throws -> ExitStatus {
        var services: [any Service] = [Controller(daemon: self)]
        if let address = metricsAddress ?? context.configuration.daemon.metrics {
            let context = self.context
            let console = context.console
            let listening: @Sendable (String) -> Void = { console.line("daemon: metrics on http://\($0)/metrics and /status") }
            services.append(try MetricsServer(address: address, metrics: metrics, logger: context.logger, listening: listening) {
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
                fingerprint: { try await context.store.calendarFingerprint() },
                reconcile: { [daemon] _ in await daemon.reconcileOnce() },
                nextWake: { [metrics] wake in await metrics.setNextTransition(wake?.at) },
                logger: context.logger)
            loop.snapshotTimes = Dictionary(uniqueKeysWithValues: context.fleet.roles.compactMap { role in
                role.snapshot.template.map { (role.name, $0.takeAtMinutes) }
            })
            loop.zone = context.fleet.timeZone
            loop.takeSnapshots = { [daemon] roles in
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
