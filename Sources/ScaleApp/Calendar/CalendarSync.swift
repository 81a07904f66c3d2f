import Foundation
import Logging
import ScaleCalendar
import ScaleCore

/// Follows subscribed iCalendar feeds: adds, moves and removes the events each feed added, never an
/// event added by hand or from CSV, never one whose window is open, and never more than
/// `max_removals` at once without on-call's `--accept-removals`. A failing, empty or unparsable feed
/// keeps the last good calendar and alerts once.
public struct CalendarSync: Sendable {
    public struct Report: Sendable, Encodable {
        public var source: String
        public var added = 0
        public var updated = 0
        public var removed = 0
        /// Removals (and changes to open-window events) held back for `--accept-removals`.
        public var held: [String] = []
        public var notModified = false
        public var skipped = 0
        public var problem: String?
    }

    let store: (any FeedStore)?
    let fleet: FleetSettings
    let settings: CalendarSettings
    let environment: [String: String]
    let http: HTTPClient
    let logger: Logger

    public init(context: AppContext, http: HTTPClient = HTTPClient(maxResponseBytes: 16 << 20)) {
        store = context.store as? any FeedStore
        fleet = context.fleet
        settings = context.configuration.calendar
        environment = context.environment
        self.http = http
        logger = context.logger
    }

    /// Syncs the feeds whose last check is older than `sync_interval` (all of them, the first time).
    /// Never throws: problems are in the reports, for the caller to alert.
    public func syncIfDue(now: Date) async -> [Report] {
        var reports: [Report] = []
        for source in settings.sources {
            let state = (try? await store?.feedState(source: source.name)) ?? FeedState()
            if let checked = state.checkedAt, now < checked + settings.syncInterval { continue }
            reports.append(await sync(source, now: now, acceptRemovals: false))
        }
        return reports
    }

    /// Syncs one feed now.
    public func sync(_ source: FeedSource, now: Date, acceptRemovals: Bool) async -> Report {
        var report = Report(source: source.name)
        guard let store else {
            report.problem = "this state store does not keep calendar feeds"
            return report
        }
        var state = (try? await store.feedState(source: source.name)) ?? FeedState()
        state.checkedAt = now
        do {
            guard let bytes = try await fetch(source, state: &state) else {
                report.notModified = true
                state.problem = nil
                try await store.saveFeedState(state, source: source.name)
                return report
            }
            let validators = (state.etag, state.lastModified)
            let wanted = try occurrences(bytes, now: now)
            let changes = try await plan(source, store: store, wanted: wanted, now: now, acceptRemovals: acceptRemovals, report: &report)
            if !report.held.isEmpty {
                // Fetch the whole feed again next time, so that a 304 never hides what is held back.
                state.etag = nil
                state.lastModified = nil
                state.problem = "holding \(report.held.count) removal\(report.held.count == 1 ? "" : "s") for on-call: scalectl calendar sync --accept-removals"
            } else {
                (state.etag, state.lastModified) = validators
                state.problem = nil
            }
            state.syncedAt = now
            report.skipped = try await store.applyFeed(changes, source: source.name, state: state).count
        } catch {
            let problem = scrub("\(error)", source: source)
            report.problem = problem
            state.problem = problem
            try? await store.saveFeedState(state, source: source.name)
            logger.warning("calendar feed failed; keeping the last good calendar", metadata: ["calendar.source": "\(source.name)", "problem": "\(problem)"])
        }
        return report
    }

    /// The feed's bytes, or nil when it has not changed (304). HTTP errors, timeouts and 5xx are retried twice.
    private func fetch(_ source: FeedSource, state: inout FeedState) async throws -> [UInt8]? {
        let url = try source.address(environment: environment)
        if source.isFile {
            guard let data = FileManager.default.contents(atPath: url.path) else { throw InputError("cannot read \(source.name)") }
            return Array(data)
        }
        var headers = ["Accept": "text/calendar"]
        if let etag = state.etag { headers["If-None-Match"] = etag }
        if let modified = state.lastModified { headers["If-Modified-Since"] = modified }
        var lastProblem = "no answer"
        for attempt in 0..<3 {
            if attempt > 0 { try await Task.sleep(for: .milliseconds(200 * attempt)) }
            let response: HTTPResponse
            do {
                response = try await http.send(HTTPRequest(url: url, headers: headers, timeout: .seconds(20)))
            } catch let error as HTTPError where error.isPassing {
                lastProblem = error.description
                continue
            }
            switch response.status {
            case 304: return nil
            case 200..<300:
                state.etag = response.headers["etag"]
                state.lastModified = response.headers["last-modified"]
                return Array(response.body)
            case 429, 500...599:
                lastProblem = "the feed answered HTTP \(response.status)"
                continue
            default:
                throw InputError("the feed answered HTTP \(response.status)")
            }
        }
        throw InputError(lastProblem + " (3 attempts)")
    }

    /// The feed's occurrences from now over the horizon, checked as events; an empty or broken feed is an error.
    private func occurrences(_ bytes: [UInt8], now: Date) throws -> [FeedKey: NewEvent] {
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw InputError("the feed is empty")
        }
        let found: [Occurrence]
        do {
            found = try ICalendarInput.occurrences(bytes, defaultZone: fleet.timeZone, from: now, to: now + settings.horizon)
        } catch {
            throw InputError("line \(error.line): \(error.problem)")
        }
        guard !found.isEmpty || String(decoding: bytes, as: UTF8.self).contains("BEGIN:VEVENT") else {
            throw InputError("the feed has no events at all")
        }
        var result: [FeedKey: NewEvent] = [:]
        for occurrence in found {
            switch ICalendarInput.input(occurrence, defaultZone: fleet.timeZone).validated(fleet: fleet) {
            case .success(let event): result[FeedKey(uid: occurrence.uid, recurrenceID: occurrence.recurrenceID)] = event
            case .failure(let error): throw InputError("line \(occurrence.line): event \"\(occurrence.summary ?? "")\": \(error)")
            }
        }
        return result
    }

    /// What to add, change and remove; removals of open-window events, and more than `max_removals`
    /// removals, are held back unless accepted.
    private func plan(
        _ source: FeedSource, store: any FeedStore, wanted: [FeedKey: NewEvent], now: Date, acceptRemovals: Bool, report: inout Report
    ) async throws -> FeedChanges {
        var changes = FeedChanges()
        let horizonEnd = now + settings.horizon
        let existing = try await store.subscribedEvents(source: source.name).filter { $0.event.end > now && $0.event.start < horizonEnd }
        let byKey = Dictionary(existing.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        func isOpen(_ event: Event) -> Bool { event.start - fleet.lead <= now && now < event.end + fleet.margin }
        var removals: [SubscribedEvent] = []
        for item in existing where wanted[item.key] == nil { removals.append(item) }
        for (key, new) in wanted.sorted(by: { $0.value.start < $1.value.start }) {
            guard let old = byKey[key] else {
                changes.add.append((key, new))
                continue
            }
            let same = old.event.name == new.name && old.event.start == new.start && old.event.end == new.end
                && old.event.counts == new.counts && old.event.notes == new.notes && old.event.timeZone == new.timeZone
            if same { continue }
            if isOpen(old.event), !acceptRemovals {
                report.held.append("#\(old.event.id) \"\(old.event.name)\" is running now and the feed changed it")
                continue
            }
            changes.update.append((old.event.id, new))
        }
        let open = removals.filter { isOpen($0.event) }
        if !acceptRemovals {
            report.held += open.map { "#\($0.event.id) \"\($0.event.name)\" is running now and the feed removed it" }
            removals.removeAll { isOpen($0.event) }
            if removals.count > settings.maxRemovals {
                report.held += removals.map { "#\($0.event.id) \"\($0.event.name)\" (one of \(removals.count) removals, more than max_removals \(settings.maxRemovals))" }
                removals = []
            }
        }
        changes.remove = removals.map(\.event.id)
        report.added = changes.add.count
        report.updated = changes.update.count
        report.removed = changes.remove.count
        return changes
    }

    /// A message with every secret of the source's address replaced, whatever reported it.
    private func scrub(_ text: String, source: FeedSource) -> String {
        var result = text
        for placeholder in FeedSource.placeholders(in: source.name) where !placeholder.hasPrefix("file:") {
            if let value = environment[placeholder], value.count >= 4 {
                result = result.replacingOccurrences(of: value, with: "${\(placeholder)}")
            }
        }
        if let url = try? source.address(environment: environment), !source.isFile {
            result = result.replacingOccurrences(of: url.absoluteString, with: source.name)
        }
        return result
    }
}
