import Foundation

/// A way to reach on-call: the console, email, a webhook. Channels deliver one alert once; the
/// dispatcher (``AlertDispatcher``) retries, deduplicates and journals.
public protocol AlertChannel: Sendable {
    /// The channel's stable name in the alert journal and in messages: `email`, `webhook`, `webhook.ops`.
    var name: String { get }
    /// Where it delivers, safe to show (no credentials, no secret path): `smtp://mail.example.org:587`.
    var target: String { get }
    /// Delivers `alert` once, within the channel's timeout.
    /// - Throws: ``AlertDeliveryError`` saying what went wrong and whether trying again may help.
    func deliver(_ alert: Alert) async throws(AlertDeliveryError)
    /// Whether the dispatcher journals this channel's deliveries: journaled channels get each problem once
    /// per dedupe period, "resolved" messages and success summaries. One that is not (the console)
    /// shows every failure as it happens, and nothing else. Default: journaled.
    var journaled: Bool { get }
}

extension AlertChannel {
    public var journaled: Bool { true }
}

/// A delivery that did not go through.
public struct AlertDeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, with the target and the server's answer; never a credential.
    public var problem: String
    /// Whether a second attempt may succeed (a refused connection, a timeout, a 5xx), as opposed to
    /// a wrong password or a rejected address.
    public var retryable: Bool

    public init(_ problem: String, retryable: Bool) {
        self.problem = problem
        self.retryable = retryable
    }

    public var description: String { problem }
}
