import Foundation

extension Alert {
    /// A problem a later run found gone: said on the channels that were told of it.
    ///
    /// - Parameters:
    ///   - problem: the latest failure alert sent for it.
    ///   - since: when it was first reported.
    ///   - runs: how many runs hit it.
    ///   - run: the run that found it gone, and that run's one-line summary.
    public static func resolved(
        _ problem: Alert, since: Date, runs: Int, command: String, run: Int64, summary: String, event: Event?,
        zone: TimeZone, now: Date
    ) -> Alert {
        let what = [problem.role, problem.step].compactMap { $0 }.joined(separator: " ")
        let open = DurationText.format(Duration(timeInterval: (now.timeIntervalSince(since) / 60).rounded() * 60))
        let text = "resolved: \(what.isEmpty ? "the problem" : what) passes again (failed in \(runs) run\(runs == 1 ? "" : "s") since \(TimeText.clock(since, zone: zone)))"
        return Alert(
            kind: .resolved, fleet: problem.fleet, command: command,
            title: headline(text, fleet: problem.fleet, event: event, zone: zone, now: now),
            event: problem.event, step: problem.step, role: problem.role, nodes: [],
            details: [
                "Was: \(problem.title)",
                "Open for \(open): first reported \(TimeText.local(since, zone: zone)), \(runs) failing run\(runs == 1 ? "" : "s")",
                "Resolved by: \(command) run #\(run): \(summary)",
            ],
            providerError: nil, action: "nothing more to do", commands: ["scalectl status"], at: now)
    }

    /// A scale-up or scale-down that went well, for `notify_success`.
    public static func success(
        command: String, mode: String, fleet: String, event: Event?, created: Int, deleted: Int, duration: Duration,
        summary: String, zone: TimeZone, now: Date
    ) -> Alert {
        let seconds = String(format: "%.1fs", duration.timeInterval)
        let text = mode == "down"
            ? "scaled down: deleted \(deleted) node\(deleted == 1 ? "" : "s") in \(seconds)"
            : "scaled up: created \(created) node\(created == 1 ? "" : "s") in \(seconds)"
        return Alert(
            kind: .success, fleet: fleet, command: command,
            title: headline(text, fleet: fleet, event: event, zone: zone, now: now),
            event: event.map { EventRef(id: $0.id, name: $0.name, start: $0.start) }, step: nil, role: nil, nodes: [],
            details: [summary], providerError: nil, action: nil, commands: ["scalectl status"], at: now)
    }

    /// What `scalectl alert test` sends: proof that a channel reaches on-call, asking nothing of them.
    public static func test(fleet: String, host: String, zone: TimeZone, now: Date) -> Alert {
        Alert(
            kind: .test, fleet: fleet, command: "alert test",
            title: headline("test alert from scalectl on \(host)", fleet: fleet, event: nil, zone: zone, now: now),
            event: nil, step: nil, role: nil, nodes: [],
            details: [
                "Sent by `scalectl alert test` at \(TimeText.local(now, zone: zone)).",
                "If you read this, the channel reaches you; nothing to do.",
            ],
            providerError: nil, action: nil, commands: [], at: now)
    }
}
