import Foundation
import ScaleCore

/// `doctor --json`, and the checklist for people: ok and skipped lines on stdout, warnings and failures
/// (with what to do) on stderr, so `--quiet` shows exactly the problems.
struct DoctorOutput: Encodable, Sendable {
    struct Delivery: Encodable, Sendable {
        var channel: String
        var alert: String
        var delivered: Bool
        var suppressed: Bool
        var problem: Nullable<String>

        init(_ delivery: ScaleCore.Delivery) {
            channel = delivery.channel
            alert = delivery.title
            delivered = delivery.delivered
            suppressed = delivery.suppressed
            problem = Nullable(delivery.problem)
        }
    }

    var fleet: String
    var provider: String
    var now: Date
    var window: Nullable<WindowOutput>
    var checks: [DoctorCheck]
    var failed: Int
    var warnings: Int
    var tests: [Delivery]
    var alerted: [Delivery]

    init(_ report: DoctorReport, context: AppContext) {
        fleet = context.fleet.fleet
        provider = context.configuration.provider.kind
        now = report.now
        window = Nullable(report.window.map(WindowOutput.init))
        checks = report.checks
        failed = report.failed.count
        warnings = report.warnings.count
        tests = report.tests.map(Delivery.init)
        alerted = report.alerted.map(Delivery.init)
    }

    /// The heading and one line per check (nothing with `--json`).
    func showChecks(_ console: Console, zone: TimeZone) {
        guard !console.json else { return }
        var head = "doctor: fleet \(fleet) on \(provider), now \(TimeText.local(now, zone: zone))"
        if let window = window.value {
            head += window.start > now
                ? "; next: #\(window.eventId) \"\(window.event)\" at \(TimeText.local(window.eventStart, zone: zone)), scale-up from \(TimeText.local(window.start, after: window.eventStart, zone: zone))"
                : "; the window of #\(window.eventId) \"\(window.event)\" is open until \(TimeText.local(window.end, after: now, zone: zone))"
        } else {
            head += "; no upcoming event"
        }
        console.line(head)
        for check in checks {
            let mark = check.status == .failed ? "FAILED" : check.status.rawValue
            let line = "\(mark.padding(toLength: 8, withPad: " ", startingAt: 0)) \(check.title): \(check.detail)"
            switch check.status {
            case .ok, .skipped:
                console.line(line)
            case .warning, .failed:
                console.problem(line + (check.fix.map { "\n         to do: \($0)" } ?? ""))
            }
        }
    }

    /// The closing summary, after the alerts went out; or the whole JSON document.
    func showSummary(_ console: Console) {
        guard !console.json else { return console.emit(self) }
        let counts = Dictionary(grouping: checks, by: \.status).mapValues(\.count)
        var summary = "doctor: \(checks.count) checks: \(counts[.ok, default: 0]) ok, \(warnings) warning\(warnings == 1 ? "" : "s"), \(failed) FAILED"
        if let skipped = counts[.skipped] { summary += ", \(skipped) skipped" }
        guard failed > 0 else { return console.line(summary) }
        let reached = Self.channels(alerted.filter(\.delivered))
        summary += reached.isEmpty ? "; no alert channel took the alert" : "; alerted on \(reached)"
        let told = Self.channels(alerted.filter(\.suppressed))
        if !told.isEmpty { summary += "; \(told) already told within the dedupe period" }
        let failed = Self.channels(alerted.filter { $0.problem.value != nil })
        if !failed.isEmpty { summary += "; not delivered to \(failed)" }
        console.problem(summary)
    }

    private static func channels(_ deliveries: [Delivery]) -> String {
        var seen: [String] = []
        for delivery in deliveries where !seen.contains(delivery.channel) { seen.append(delivery.channel) }
        return seen.joined(separator: ", ")
    }
}
