import Foundation
import ScaleCore

/// Where `doctor` sends its alerts: the one seam between the checks and the alert channels.
///
/// Today it is the notifiers list (stderr first, as `Control` alerts); a dispatcher with dedupe and a
/// journal can stand behind it instead without touching the checks (see ``AppContext/doctorAlerts(extra:)``).
public protocol DoctorAlerts: Sendable {
    /// The channels' names, for the checklist: `stderr`, `email`, `webhook.ops`.
    var channels: [String] { get }
    /// Sends the alerts of failed checks; how each channel took them.
    func failed(_ alerts: [Alert]) async -> [ChannelDelivery]
    /// Sends `alert` once through every channel; how each delivery went.
    func test(_ alert: Alert) async -> [ChannelDelivery]
}

/// What became of one alert on one channel.
public struct ChannelDelivery: Sendable, Hashable {
    public var channel: String
    /// The alert's first line.
    public var alert: String
    /// Why it was not delivered; nil when it was.
    public var problem: String?
    public var delivered: Bool { problem == nil }

    public init(channel: String, alert: String, problem: String? = nil) {
        self.channel = channel
        self.alert = alert
        self.problem = problem
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

extension AppContext {
    /// The channels doctor alerts through: stderr, then `extra`. When the alert dispatcher is wired in,
    /// this is the place to put it behind ``DoctorAlerts``.
    public func doctorAlerts(extra: [any Notifier] = []) -> any DoctorAlerts {
        NotifierAlerts(notifiers: [ConsoleNotifier(console: console)] + extra)
    }
}
