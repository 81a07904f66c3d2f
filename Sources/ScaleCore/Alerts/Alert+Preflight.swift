import Foundation

extension Alert {
    /// A preflight check `scalectl doctor` found failing, hours before the event it would break.
    ///
    /// - Parameters:
    ///   - check: what was checked (`snapshot`, `load-balancer t-lb`); with `role`, the problem's key,
    ///     so the same failure found again is the same problem.
    ///   - summary: what is wrong, with the numbers.
    ///   - fix: what to do about it.
    ///   - event: the event whose scale-up it would break, when one is coming.
    public static func preflight(
        check: String, role: String?, summary: String, fix: String?, providerError: ProviderError?, fleet: String, event: Event?,
        zone: TimeZone, now: Date
    ) -> Alert {
        Alert(
            kind: .failure, fleet: fleet, command: "doctor",
            title: headline("preflight check failed: \(summary)", fleet: fleet, event: event, zone: zone, now: now),
            event: event.map { EventRef(id: $0.id, name: $0.name, start: $0.start) }, step: "doctor \(check)", role: role, nodes: [],
            details: [summary] + (fix.map { ["To do: \($0)"] } ?? []),
            providerError: providerError.map(ProviderAnswer.init),
            action: "doctor only looked; nothing was changed", commands: ["scalectl doctor", "scalectl status"], at: now)
    }

    /// What `scalectl doctor --send-test` sends through every channel: proof that it reaches on-call.
    public static func preflightTest(fleet: String, host: String, zone: TimeZone, now: Date) -> Alert {
        Alert(
            kind: .test, fleet: fleet, command: "doctor",
            title: headline("test alert from scalectl doctor on \(host)", fleet: fleet, event: nil, zone: zone, now: now),
            event: nil, step: nil, role: nil, nodes: [],
            details: ["Sent by `scalectl doctor --send-test` at \(TimeText.local(now, zone: zone)); if you read this, the channel reaches you."],
            providerError: nil, action: nil, commands: [], at: now)
    }
}
