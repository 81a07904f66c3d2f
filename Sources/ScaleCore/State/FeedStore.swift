import Foundation

/// An optional ability of a state store: remembering which events subscribed calendar feeds added,
/// keyed by source, UID and occurrence, and each feed's last answer.
public protocol FeedStore: Sendable {
    /// The events `source` added, with their keys.
    func subscribedEvents(source: String) async throws -> [SubscribedEvent]
    /// The source of every subscribed event, by event id (events added by hand have none).
    func eventSources() async throws -> [Int64: String]
    func feedState(source: String) async throws -> FeedState
    func saveFeedState(_ state: FeedState, source: String) async throws
    /// Applies one sync and the feed's new state in one transaction; returns the additions skipped
    /// because an event with the same name and start exists.
    @discardableResult
    func applyFeed(_ changes: FeedChanges, source: String, state: FeedState) async throws -> [NewEvent]
}

/// An event a subscribed feed added, with the key the feed knows it by.
public struct SubscribedEvent: Sendable, Hashable {
    public var event: Event
    public var source: String
    public var key: FeedKey

    public init(event: Event, source: String, key: FeedKey) {
        self.event = event
        self.source = source
        self.key = key
    }
}

/// An occurrence of a feed: its UID and the start it has in the series before any change (RECURRENCE-ID).
public struct FeedKey: Sendable, Hashable {
    public var uid: String
    public var recurrenceID: Int

    public init(uid: String, recurrenceID: Int) {
        self.uid = uid
        self.recurrenceID = recurrenceID
    }
}

/// What the store remembers of a feed between syncs.
public struct FeedState: Sendable, Hashable {
    public var etag: String?
    public var lastModified: String?
    public var checkedAt: Date?
    public var syncedAt: Date?
    public var problem: String?

    public init(etag: String? = nil, lastModified: String? = nil, checkedAt: Date? = nil, syncedAt: Date? = nil, problem: String? = nil) {
        self.etag = etag
        self.lastModified = lastModified
        self.checkedAt = checkedAt
        self.syncedAt = syncedAt
        self.problem = problem
    }
}

/// The changes one sync makes to the calendar, applied together.
public struct FeedChanges: Sendable {
    public var add: [(FeedKey, NewEvent)] = []
    public var update: [(Int64, NewEvent)] = []
    public var remove: [Int64] = []

    public init() {}
}

