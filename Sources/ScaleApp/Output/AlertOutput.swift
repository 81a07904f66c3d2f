import Foundation
import ScaleCore

/// How alert deliveries show on the console: failed ones on stderr, the rest as information.
enum AlertOutput {
    static func show(_ deliveries: [Delivery], console: Console, zone: TimeZone, dedupe: Duration) {
        for delivery in deliveries where delivery.journaled {
            switch delivery.outcome {
            case .delivered:
                console.line("alert: \(delivery.kind.rawValue) sent to \(delivery.channel) (\(delivery.target))")
            case .suppressed(let since):
                console.line(
                    "alert: \(delivery.channel) was told of this problem at \(TimeText.local(since, zone: zone)); "
                        + "not sent again within \(DurationText.format(dedupe))")
            case .failed(let problem):
                console.problem(
                    "warning: alert (\(delivery.kind.rawValue)) to \(delivery.channel) not delivered: \(problem); "
                        + "the run goes on, and the alert journal keeps the error")
            }
        }
    }
}
