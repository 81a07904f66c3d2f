import Foundation
import ScaleCore

/// `scalectl alert test`: a test message to every configured channel, and how each delivery went.
public struct AlertTest: Sendable {
    public let context: AppContext

    public init(context: AppContext) { self.context = context }

    struct Output: Encodable {
        struct Channel: Encodable {
            var channel: String
            var target: String
            var delivered: Bool
            var error: Nullable<String>
        }

        var channels: [Channel]
    }

    /// - Returns: ``ExitStatus/failed`` when any channel could not deliver.
    /// - Throws: ``InputError`` when no channel is configured; ``ConfigError`` when a secret is missing.
    public func run() async throws -> ExitStatus {
        let dispatcher = try context.alertDispatcher(console: false)
        guard !dispatcher.channels.isEmpty else {
            throw InputError("\(context.configuration.file): no alert channel is configured: add [alerts.email] or [alerts.webhook] (see docs/operations.md, Alerts)")
        }
        let alert = Alert.test(
            fleet: context.fleet.fleet, host: ProcessInfo.processInfo.hostName, zone: context.fleet.timeZone, now: context.clock.now())
        let deliveries = await dispatcher.test(alert)
        let console = context.console
        if console.json {
            console.emit(Output(channels: deliveries.map {
                var error: String?
                if case .failed(let problem) = $0.outcome { error = problem }
                return Output.Channel(channel: $0.channel, target: $0.target, delivered: $0.delivered, error: Nullable(error))
            }))
        } else {
            for delivery in deliveries {
                switch delivery.outcome {
                case .delivered(let attempts):
                    console.line("\(delivery.channel) (\(delivery.target)): delivered" + (attempts > 1 ? " on attempt \(attempts)" : ""))
                case .failed(let problem):
                    console.problem("\(delivery.channel) (\(delivery.target)): FAILED: \(problem)")
                case .suppressed:
                    break
                }
            }
        }
        return deliveries.allSatisfy(\.delivered) ? .ok : .failed
    }
}
