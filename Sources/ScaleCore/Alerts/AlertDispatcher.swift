import Foundation
import Logging

/// Sends alerts to the configured channels: each failure once per dedupe period and channel, a
/// "resolved" message to the channels that were told of a problem once a run finds it gone, and
/// optional success summaries. Every send is journaled before the channel is called and after.
///
/// A channel that fails never fails the run: each attempt is bounded by the channel's timeouts, a
/// passing failure is tried once more, and what went wrong goes into the journal and the result.
public struct AlertDispatcher: Sendable {
    public struct Settings: Sendable, Hashable {
        /// The same problem is not sent again to a channel within this period.
        public var dedupe: Duration
        /// Send a summary after a run that created or deleted nodes.
        public var notifySuccess: Bool
        /// The wait before the one retry of a passing failure.
        public var retryDelay: Duration

        public init(dedupe: Duration = .seconds(30 * 60), notifySuccess: Bool = false, retryDelay: Duration = .seconds(1)) {
            self.dedupe = dedupe
            self.notifySuccess = notifySuccess
            self.retryDelay = retryDelay
        }
    }

    public let channels: [any AlertChannel]
    public let settings: Settings
    private let log: any AlertLog
    /// The controller's clock: dedupe periods and journal times follow `--at` rehearsals.
    private let clock: any ScaleClock
    private let logger: Logger

    public init(channels: [any AlertChannel], log: any AlertLog, settings: Settings = Settings(), clock: any ScaleClock, logger: Logger) {
        self.channels = channels
        self.log = log
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// Sends failure alerts, skipping each channel that got the same problem within the dedupe period.
    /// - Parameter mode: the direction of the run (`up`, `down`), nil when it failed before planning.
    public func failed(_ alerts: [Alert], runID: Int64?, mode: String?) async -> [Delivery] {
        guard !channels.isEmpty, !alerts.isEmpty else { return [] }
        var shown: [Delivery] = []
        for channel in channels where !channel.journaled {
            for alert in alerts { shown.append(await deliver(alert, to: channel, runID: runID, mode: mode)) }
        }
        let open = await openFailures()
        let now = clock.now()
        var plans: [String: [Alert]] = [:]
        var suppressed: [Delivery] = []
        for channel in channels where channel.journaled {
            for alert in alerts {
                let last = open.last { $0.channel == channel.name && $0.alert.problemKey == alert.problemKey && $0.deliveredAt != nil }
                if let last, now.timeIntervalSince(last.createdAt) < settings.dedupe.timeInterval {
                    await journal("count a repeat") { try await log.noteRepeat(last.id) }
                    suppressed.append(Delivery(
                        channel: channel.name, target: channel.target, kind: alert.kind, title: alert.title,
                        outcome: .suppressed(since: last.createdAt)))
                } else {
                    plans[channel.name, default: []].append(alert)
                }
            }
        }
        return shown + suppressed + (await send(plans, runID: runID, mode: mode))
    }

    /// After a run in which every step passed: resolves the open problems of the same direction and event
    /// (and failures that came before any plan), telling the channels that were told of each, and sends
    /// `success` to every channel when given and ``Settings/notifySuccess`` is on.
    /// - Parameter resolution: the "resolved" alert for a problem, from its latest failure alert, when it
    ///   was first reported and how many runs hit it.
    public func succeeded(
        mode: String, eventID: Int64?, runID: Int64, success: Alert?,
        resolution: (_ problem: Alert, _ since: Date, _ runs: Int) -> Alert
    ) async -> [Delivery] {
        guard !channels.isEmpty else { return [] }
        let open = await openFailures().filter { $0.mode == nil || ($0.mode == mode && $0.alert.event?.id == eventID) }
        var plans: [String: [Alert]] = [:]
        let problems = Dictionary(grouping: open) { $0.alert.problemKey }
        for key in problems.keys.sorted() {
            let entries = problems[key] ?? []
            guard let latest = entries.last, let since = entries.map(\.createdAt).min() else { continue }
            // Each failing run left, per channel, a new entry or a repeat on the entry that stood for it.
            let runs = Dictionary(grouping: entries, by: \.channel).values.map { $0.count + $0.reduce(0) { $0 + $1.repeats } }.max() ?? 1
            let resolved = resolution(latest.alert, since, max(runs, 1))
            for channel in Set(entries.filter { $0.deliveredAt != nil }.map(\.channel)).sorted() {
                plans[channel, default: []].append(resolved)
            }
        }
        if let success, settings.notifySuccess {
            for channel in channels where channel.journaled { plans[channel.name, default: []].append(success) }
        }
        let deliveries = await send(plans, runID: runID, mode: mode)
        let now = clock.now()
        await journal("resolve problems") { try await log.resolve(problemKeys: Array(problems.keys), at: now) }
        return deliveries
    }

    /// Sends `alert` to every channel regardless of dedupe: for `scalectl alert test`.
    public func test(_ alert: Alert) async -> [Delivery] {
        await send(Dictionary(uniqueKeysWithValues: channels.map { ($0.name, [alert]) }), runID: nil, mode: nil)
    }

    /// Sends each channel its alerts in order, the channels in parallel; results in channel order.
    private func send(_ plans: [String: [Alert]], runID: Int64?, mode: String?) async -> [Delivery] {
        let results = await withTaskGroup(of: (Int, [Delivery]).self) { group in
            for (index, channel) in channels.enumerated() {
                guard let alerts = plans[channel.name], !alerts.isEmpty else { continue }
                group.addTask {
                    var deliveries: [Delivery] = []
                    for alert in alerts {
                        deliveries.append(await deliver(alert, to: channel, runID: runID, mode: mode))
                    }
                    return (index, deliveries)
                }
            }
            var all: [(Int, [Delivery])] = []
            for await result in group { all.append(result) }
            return all
        }
        return results.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }

    /// One alert to one channel: journaled (when the channel is), tried once more after a passing failure.
    private func deliver(_ alert: Alert, to channel: any AlertChannel, runID: Int64?, mode: String?) async -> Delivery {
        let entry = channel.journaled
            ? await journal("record the intent") {
                try await log.beginAlert(alert, channel: channel.name, runID: runID, mode: mode, at: clock.now())
            }
            : nil
        var attempts = 0
        var failure: AlertDeliveryError?
        while true {
            attempts += 1
            do {
                try await channel.deliver(alert)
                failure = nil
                break
            } catch {
                failure = error
                guard error.retryable, attempts < 2, !Task.isCancelled else { break }
                try? await Task.sleep(for: settings.retryDelay)
            }
        }
        let delivered = failure == nil ? clock.now() : nil
        if let entry {
            await journal("record the delivery") {
                try await log.endAlert(entry, deliveredAt: delivered, attempts: attempts, error: failure?.problem)
            }
        }
        var metadata: Logger.Metadata = [
            "alert.channel": "\(channel.name)", "alert.kind": "\(alert.kind.rawValue)", "alert.attempts": "\(attempts)",
        ]
        if let failure {
            metadata["alert.error"] = "\(failure.problem)"
            logger.info("alert not delivered", metadata: metadata)
        } else {
            logger.info("alert delivered", metadata: metadata)
        }
        return Delivery(
            channel: channel.name, target: channel.target, kind: alert.kind, title: alert.title,
            outcome: failure.map { .failed($0.problem) } ?? .delivered(attempts: attempts), journaled: channel.journaled)
    }

    private func openFailures() async -> [AlertEntry] {
        await journal("read open problems") { try await log.openFailures() } ?? []
    }

    /// Runs a journal operation; a journal that fails is logged and never stops an alert.
    @discardableResult
    private func journal<T: Sendable>(_ what: String, _ body: () async throws -> T) async -> T? {
        do {
            return try await body()
        } catch {
            logger.info("alert journal failed", metadata: ["alert.journal": "\(what)", "error": "\(error)"])
            return nil
        }
    }
}
