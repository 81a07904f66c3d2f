import Foundation
import Logging
import ScaleCore
import ServiceLifecycle

/// The daemon's hold on the leader lease: claimed at start and every third of `[controller] lease`, so
/// one daemon leads and the others stand by, and a standby takes over within the lease after the leader
/// stops renewing (killed, host lost, cut off from the database). Each change is printed, counted in the
/// metrics and alerted; on a graceful stop the lease is given up so a standby takes over at once.
struct Leadership: Service {
    let daemon: Daemon

    func run() async throws {
        let store = daemon.context.store
        do {
            try await cancelWhenGracefulShutdown { try await keep(store) }
        } catch is CancellationError {}
        await daemon.metrics.stoppedLeading()
        try? await store.releaseLease(.current)
    }

    private func keep(_ store: any LeaseStore) async throws {
        let context = daemon.context
        let ttl = context.configuration.lease
        var last: LeaseClaim?
        var failing = false
        while !Task.isCancelled {
            do {
                let claim = try await store.claimLease(.current, command: "daemon", ttl: ttl)
                await daemon.metrics.recordLease(claim)  // its epoch is in the loop's fingerprint: a new leader runs at once
                await announce(claim, after: last, recovered: failing)
                last = claim
                failing = false
            } catch is CancellationError {
                return
            } catch {
                await daemon.metrics.recordLease(nil)
                if let last, last.isLeading, !last.lease.isLive(at: Date()) { await daemon.metrics.stoppedLeading() }
                if !failing {
                    failing = true
                    let until = last.flatMap { $0.isLeading ? " at \(TimeText.iso($0.lease.expires))" : nil } ?? ""
                    await report(
                        "cannot renew the leader lease of fleet \(context.fleet.fleet): \(error). Without it this controller stops acting when its lease runs out\(until)",
                        action: "keeps trying every \(DurationText.format(ttl / 3)); check the database")
                }
            }
            try await context.clock.sleep(for: ttl / 3)
        }
    }

    private func announce(_ claim: LeaseClaim, after last: LeaseClaim?, recovered: Bool) async {
        let fleet = daemon.context.fleet.fleet
        let console = daemon.context.console
        switch (claim, last) {
        case (.leading(let lease, let previous), let last) where last?.isLeading != true || last?.lease.epoch != lease.epoch:
            if let previous {
                await report(
                    "took the lead of fleet \(fleet) from \(previous.description), which stopped renewing its lease",
                    action: "this controller (\(lease.holder), epoch \(lease.epoch)) leads now and resumes from the journal")
            } else {
                console.line("daemon: leading fleet \(fleet) (\(lease.holder), lease epoch \(lease.epoch), renewed every \(DurationText.format(daemon.context.configuration.lease / 3)))")
            }
        case (.standingBy(let leader), .some(.leading(let mine, _))):
            await report(
                "lost the lead of fleet \(fleet) to \(leader.description)",
                action: "this controller (\(mine.holder)) stopped before its next change and stands by")
        case (.standingBy(let leader), let last) where last == nil || last?.lease.holder != leader.holder || recovered:
            console.line("daemon: standing by: \(leader.description) leads fleet \(fleet); this controller takes over if that lease runs out")
        default:
            if recovered { console.line("daemon: the leader lease of fleet \(fleet) is renewed again") }
        }
    }

    /// Prints and alerts a change of leadership.
    private func report(_ summary: String, action: String) async {
        let context = daemon.context
        context.console.problem("daemon: \(summary); \(action)")
        guard let alerts = try? context.alertDispatcher(console: false, extra: daemon.control.extraChannels) else { return }
        let failure = StepFailure(role: "fleet", step: "lead", summary: summary, action: action)
        let alert = Alert.failure(failure, command: "daemon", fleet: context.fleet.fleet, event: nil, zone: context.fleet.timeZone, now: context.clock.now())
        _ = await alerts.failed([alert], runID: nil, mode: nil)
    }
}
