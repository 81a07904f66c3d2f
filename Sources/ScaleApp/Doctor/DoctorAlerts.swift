import Foundation
import ScaleAlerts
import ScaleCore

/// Where `doctor` sends its alerts: the one seam between the checks and the alert channels (see
/// ``AppContext/doctorAlerts(extra:)``): stderr and the notifiers list, then the configured channels
/// behind the alert dispatcher (dedupe, journal).
public protocol DoctorAlerts: Sendable {
    /// The channels' names, for the checklist: `stderr`, `email`, `webhook.ops`.
    var channels: [String] { get }
    /// Why the configured channels could not be set up (a secret missing), if so.
    var setupProblem: String? { get }
    /// Sends the alerts of failed checks; how each channel took them.
    func failed(_ alerts: [Alert]) async -> [ChannelDelivery]
    /// Sends `alert` once through every channel; how each delivery went.
    func test(_ alert: Alert) async -> [ChannelDelivery]
}

extension DoctorAlerts {
    public var setupProblem: String? { nil }
}

/// What became of one alert on one channel.
public struct ChannelDelivery: Sendable, Hashable {
    public var channel: String
    /// The alert's first line.
    public var alert: String
    /// Why it was not delivered; nil when it was.
    public var problem: String?
    /// Not sent: the channel was told of the same problem within the dedupe period.
    public var suppressed: Bool
    public var delivered: Bool { problem == nil && !suppressed }

    public init(channel: String, alert: String, problem: String? = nil, suppressed: Bool = false) {
        self.channel = channel
        self.alert = alert
        self.problem = problem
        self.suppressed = suppressed
    }
}

/// The notifiers list as doctor's channels. A ``ConfirmingNotifier`` reports failed deliveries; a plain
/// ``Notifier`` cannot fail by contract, so it counts as delivered.
public struct NotifierAlerts: DoctorAlerts {
    public let notifiers: [any Notifier]

    public init(notifiers: [any Notifier]) { self.notifiers = notifiers }

    public var channels: [String] {
        notifiers.enumerated().map { index, notifier in (notifier as? any ConfirmingNotifier)?.channel ?? "notifier \(index + 1)" }
    }

    public func failed(_ alerts: [Alert]) async -> [ChannelDelivery] {
        var deliveries: [ChannelDelivery] = []
        for alert in alerts { deliveries += await deliver(alert) }
        return deliveries
    }

    public func test(_ alert: Alert) async -> [ChannelDelivery] { await deliver(alert) }

    private func deliver(_ alert: Alert) async -> [ChannelDelivery] {
        var deliveries: [ChannelDelivery] = []
        for (index, notifier) in notifiers.enumerated() {
            guard let confirming = notifier as? any ConfirmingNotifier else {
                await notifier.send(alert)
                deliveries.append(ChannelDelivery(channel: "notifier \(index + 1)", alert: alert.title))
                continue
            }
            do {
                try await confirming.deliver(alert)
                deliveries.append(ChannelDelivery(channel: confirming.channel, alert: alert.title))
            } catch {
                deliveries.append(ChannelDelivery(channel: confirming.channel, alert: alert.title, problem: "\(error)"))
            }
        }
        return deliveries
    }
}

extension ConsoleNotifier: ConfirmingNotifier {
    var channel: String { "stderr" }

    func deliver(_ alert: Alert) async throws { await send(alert) }
}

/// The notifiers, then the `[alerts]` channels through the alert dispatcher: failures deduplicated and
/// journaled (mode `doctor`, so a later run's success does not mark them resolved), tests sent to all.
struct DispatchedAlerts: DoctorAlerts {
    let notifiers: NotifierAlerts
    let dispatcher: AlertDispatcher?
    let setupProblem: String?

    var channels: [String] { notifiers.channels + (dispatcher?.channels.map(\.name) ?? []) }

    func failed(_ alerts: [Alert]) async -> [ChannelDelivery] {
        let shown = await notifiers.failed(alerts)
        return shown + (await dispatcher?.failed(alerts, runID: nil, mode: "doctor") ?? []).map(Self.delivery)
    }

    func test(_ alert: Alert) async -> [ChannelDelivery] {
        await notifiers.test(alert) + (await dispatcher?.test(alert) ?? []).map(Self.delivery)
    }

    static func delivery(_ delivery: Delivery) -> ChannelDelivery {
        switch delivery.outcome {
        case .delivered: ChannelDelivery(channel: delivery.channel, alert: delivery.title)
        case .failed(let problem): ChannelDelivery(channel: delivery.channel, alert: delivery.title, problem: problem)
        case .suppressed: ChannelDelivery(channel: delivery.channel, alert: delivery.title, suppressed: true)
        }
    }
}

extension AppContext {
    /// The channels doctor alerts through: stderr, `extra`, then the channels `[alerts]` configures.
    /// A channel whose secret is missing is not a configuration error here but doctor's finding.
    public func doctorAlerts(extra: [any Notifier] = []) -> any DoctorAlerts {
        let notifiers = NotifierAlerts(notifiers: [ConsoleNotifier(console: console)] + extra)
        do {
            return DispatchedAlerts(notifiers: notifiers, dispatcher: try alertDispatcher(), setupProblem: nil)
        } catch {
            return DispatchedAlerts(notifiers: notifiers, dispatcher: nil, setupProblem: "\(error)")
        }
    }
}
