import Foundation
import ScaleCore
import ScaleStore

/// `scalectl override ...`: on-call decisions with a reason, an author and an expiry, obeyed by every
/// command and the daemon.
public struct OverrideCommands: Sendable {
    public let context: AppContext
    public let author: String

    public init(context: AppContext, author: String? = nil) {
        self.context = context
        self.author = author ?? OverrideCommands.currentUser()
    }

    /// Keep every owned node until `until`: no teardown before it.
    public func hold(until text: String, reason: String) async throws -> ExitStatus {
        let now = context.clock.now()
        let until = try time(text, option: "--until")
        guard until > now else { throw InputError("--until \(text) is not in the future (now is \(TimeText.local(now, zone: zone)))") }
        return try await add(.hold(until: until), reason: reason, expires: until)
    }

    /// Keep the window of an event (default: the one covering now) up `by` longer.
    public func extend(by text: String, eventID: Int64?, reason: String) async throws -> ExitStatus {
        guard let by = DurationText.parse(text), by > .zero, by <= .seconds(86_400) else {
            throw InputError("\"\(text)\" is not a duration between 1s and 24h (write it like 30m or 1h30m)")
        }
        let event = try await eventOrCurrent(eventID)
        return try await add(.extend(eventID: event.id, by: by), reason: reason, expires: nil)
    }

    /// Ignore an event: no scale-up for it.
    public func skip(eventID: Int64, reason: String) async throws -> ExitStatus {
        let event = try await existingEvent(eventID)
        return try await add(.skip(eventID: event.id), reason: reason, expires: nil)
    }

    /// Use `count` nodes of `role`, for one event or for every window until cleared (or `until`).
    public func set(role: String, count: Int, eventID: Int64?, until text: String?, reason: String) async throws -> ExitStatus {
        guard let settings = context.fleet.role(role) else {
            throw InputError("there is no role \"\(role)\" (roles: \(context.fleet.roles.map(\.name).joined(separator: ", ")))")
        }
        guard (0...1000).contains(count) else { throw InputError("the count must be between 0 and 1000, not \(count)") }
        if let cap = settings.maxNodes, count > cap {
            throw InputError("\(count) \(role) nodes is more than max_nodes \(cap) for \(role); raise max_nodes in the configuration if that is really wanted")
        }
        let expires = try text.map { try time($0, option: "--until") }
        if let eventID { _ = try await existingEvent(eventID) }
        return try await add(.setCount(role: role, count: count, eventID: eventID), reason: reason, expires: expires)
    }

    public func list() async throws -> ExitStatus {
        let input = try await context.plannerInput(.reconcile)
        let overrides = input.overrides
        let inForce = Set(input.activeOverrides.map(\.id))
        if context.console.json {
            context.console.emit(overrides.map { OverrideOutput($0, active: inForce.contains($0.id), zone: zone) })
            return .ok
        }
        if overrides.isEmpty { context.console.line("no overrides") }
        for override in overrides {
            let until = override.expiresAt.map { "until \(TimeText.local($0, zone: zone))" }
                ?? override.eventID.map { "while event #\($0)'s window lasts" } ?? "until cleared"
            context.console.line("\(override.summary(zone: zone)) [\(inForce.contains(override.id) ? "active" : "expired"), \(until)]")
        }
        return .ok
    }

    /// Clears one override, or every one.
    public func clear(id: Int64?) async throws -> ExitStatus {
        let cleared = try await context.store.clearOverrides(id: id, at: context.clock.now())
        if let id, cleared == 0 { throw InputError("there is no override #\(id) in force; `scalectl override list` shows them") }
        context.console.line("cleared \(cleared) override\(cleared == 1 ? "" : "s")")
        return .ok
    }

    // MARK: Workings

    private var zone: TimeZone { context.fleet.timeZone }

    private func add(_ action: Override.Action, reason: String, expires: Date?) async throws -> ExitStatus {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw InputError("--reason must say why, for the next person on call") }
        let override = try await context.store.addOverride(action, reason: reason, author: author, at: context.clock.now(), expiresAt: expires)
        if context.console.json {
            context.console.emit(OverrideOutput(override, active: override.isActive(at: context.clock.now()), zone: zone))
        } else {
            let until = expires.map { "; it expires at \(TimeText.local($0, zone: zone))" }
                ?? override.eventID.map { "; it lasts while event #\($0)'s window does" } ?? "; it lasts until cleared"
            context.console.line("added override \(override.summary(zone: zone))" + until)
        }
        return .ok
    }

    private func time(_ text: String, option: String) throws -> Date {
        do {
            return try TimeText.parse(text, zone: zone)
        } catch {
            throw InputError("\(option): \(error)")
        }
    }

    private func existingEvent(_ id: Int64) async throws -> Event {
        guard let event = try await context.store.event(id: id) else {
            throw InputError("there is no event #\(id); `scalectl calendar list` shows the ids")
        }
        return event
    }

    /// The given event, or the one whose window covers now and ends last.
    private func eventOrCurrent(_ id: Int64?) async throws -> Event {
        if let id { return try await existingEvent(id) }
        let input = try await context.plannerInput(.reconcile)
        guard let window = input.windows.first(where: { $0.covers(input.now) }), let last = window.events.max(by: { $0.end < $1.end }) else {
            throw InputError("no event's window covers now; name the event with --event ID")
        }
        return last
    }

    /// Who is at the keyboard: `SUDO_USER`, `USER`, or the account name.
    static func currentUser() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let user = environment["SUDO_USER"] ?? environment["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "unknown"
    }
}

struct OverrideOutput: Encodable {
    var id: Int64
    var summary: String
    var action: String
    var reason: String
    var author: String
    var createdAt: Date
    var expiresAt: Date?
    var active: Bool

    init(_ override: Override, active: Bool, zone: TimeZone) {
        id = override.id
        summary = override.summary(zone: zone)
        action = switch override.action {
        case .hold: "hold"
        case .extend: "extend"
        case .skip: "skip"
        case .setCount: "set"
        }
        reason = override.reason
        author = override.author
        createdAt = override.createdAt
        expiresAt = override.expiresAt
        self.active = active
    }
}
