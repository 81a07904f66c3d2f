import Foundation
import ScaleCore

/// What became of one alert on one channel.
public struct Delivery: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        /// The channel accepted it, after this many attempts.
        case delivered(attempts: Int)
        /// It could not be delivered; the run goes on and the alert journal keeps the reason.
        case failed(String)
        /// Not sent: the same problem was delivered to this channel at `since`, within the dedupe period.
        case suppressed(since: Date)
    }

    public var channel: String
    /// Where the channel delivers, safe to show.
    public var target: String
    public var kind: Alert.Kind
    public var title: String
    public var outcome: Outcome

    public var delivered: Bool {
        if case .delivered = outcome { true } else { false }
    }
}
