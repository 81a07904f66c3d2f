import Foundation

extension Alert {
    /// A subscribed calendar feed that failed (the last good calendar is kept) or whose removals wait
    /// for on-call. `source` is the feed as configured, with any secret still a `${VARIABLE}` placeholder.
    /// One problem per feed, so repeats within the dedupe period are not sent again.
    public static func calendarFeed(source: String, problem: String?, held: [String], fleet: String, now: Date) -> Alert {
        let summary = problem.map { "calendar feed \(source) failed: \($0); the last good calendar is kept" }
            ?? "calendar feed \(source): \(held.count) removal\(held.count == 1 ? "" : "s") wait for on-call"
        return Alert(
            kind: .failure, fleet: fleet, command: "calendar sync", title: "\(fleet): \(summary)", event: nil,
            step: "calendar sync", role: source, nodes: [], details: (problem.map { [$0] } ?? []) + held.prefix(20),
            providerError: nil,
            action: problem == nil ? "kept the events the feed removed; nothing was deleted" : "kept the last good calendar",
            commands: problem == nil ? ["scalectl calendar list", "scalectl calendar sync --accept-removals"] : ["scalectl calendar sync"],
            at: now)
    }
}
