import Foundation

/// One alert sent (or being sent) to one channel, as the alert journal keeps it.
public struct AlertEntry: Sendable, Hashable {
    public var id: Int64
    public var runID: Int64?
    /// The direction of the run that raised it (`up`, `down`); nil when the run failed before it had a plan.
    public var mode: String?
    public var channel: String
    public var alert: Alert
    /// When the send was decided, on the controller's clock.
    public var createdAt: Date
    /// When the channel accepted it; nil while sending or when it could not be delivered.
    public var deliveredAt: Date?
    public var attempts: Int
    /// Why it could not be delivered.
    public var error: String?
    /// Later runs that hit the same problem while this send was recent enough to stand for them.
    public var repeats: Int
    /// When a later run found the problem gone.
    public var resolvedAt: Date?

    public init(
        id: Int64, runID: Int64?, mode: String?, channel: String, alert: Alert, createdAt: Date, deliveredAt: Date?,
        attempts: Int, error: String?, repeats: Int, resolvedAt: Date?
    ) {
        self.id = id
        self.runID = runID
        self.mode = mode
        self.channel = channel
        self.alert = alert
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
        self.attempts = attempts
        self.error = error
        self.repeats = repeats
        self.resolvedAt = resolvedAt
    }
}

/// Where alerts are written down, per channel: the intent before the channel is called, the delivery
/// after, and which problems are still open. Deduplication and "resolved" messages rest on it.
public protocol AlertLog: Sendable {
    /// Writes the intent to send `alert` to `channel`; returns the entry's id.
    func beginAlert(_ alert: Alert, channel: String, runID: Int64?, mode: String?, at instant: Date) async throws -> Int64
    /// Records how the delivery went: `deliveredAt` when the channel accepted it, else the error.
    func endAlert(_ id: Int64, deliveredAt: Date?, attempts: Int, error: String?) async throws
    /// Failure entries no later run has resolved, oldest first.
    func openFailures() async throws -> [AlertEntry]
    /// Counts one more run that hit the problem an entry stands for.
    func noteRepeat(_ id: Int64) async throws
    /// Marks every open failure entry of these problems resolved.
    func resolve(problemKeys: [String], at instant: Date) async throws
}
