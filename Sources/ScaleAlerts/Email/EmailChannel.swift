import Foundation
import ScaleCore

/// Alerts by email: the alert's first line as the subject, its text as the body.
public struct EmailChannel: AlertChannel {
    public let name = "email"
    public let client: SMTPClient
    /// Dates the message; real time, whatever `--at` pretends, since the mail is sent now.
    private let clock: any ScaleClock

    public init(settings: SMTPSettings, clock: any ScaleClock = SystemClock()) {
        client = SMTPClient(settings: settings)
        self.clock = clock
    }

    public var target: String {
        let count = client.settings.to.count
        return "\(client.settings.target), \(count) recipient\(count == 1 ? "" : "s")"
    }

    public func deliver(_ alert: Alert) async throws(AlertDeliveryError) {
        do {
            try await client.send(message(for: alert))
        } catch {
            throw AlertDeliveryError(error.description, retryable: error.retryable)
        }
    }

    /// The mail for `alert`.
    public func message(for alert: Alert) -> MailMessage {
        let settings = client.settings
        return MailMessage(
            from: settings.from, to: settings.to, subject: alert.title,
            body: alert.text + "\n\n-- \nscalectl, fleet \(alert.fleet) (\(alert.kind.rawValue) alert)\n", date: clock.now(),
            extraHeaders: [
                ("Auto-Submitted", "auto-generated"),
                ("X-Scalectl-Kind", alert.kind.rawValue),
                ("X-Scalectl-Fleet", alert.fleet),
            ])
    }
}
