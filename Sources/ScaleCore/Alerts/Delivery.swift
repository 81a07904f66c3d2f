import Foundation

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
    /// False for the console, which shows the alert itself.
    public var journaled: Bool = true

    public init(channel: String, target: String, kind: Alert.Kind, title: String, outcome: Outcome, journaled: Bool = true) {
        self.channel = channel
        self.target = target
        self.kind = kind
        self.title = title
        self.outcome = outcome
        self.journaled = journaled
    }

    public var delivered: Bool {
        if case .delivered = outcome { true } else { false }
    }

    /// Why it was not delivered, if it failed.
    public var problem: String? {
        if case .failed(let problem) = outcome { problem } else { nil }
    }

    public var suppressed: Bool {
        if case .suppressed = outcome { true } else { false }
    }
}
