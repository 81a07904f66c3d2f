import Foundation

/// One-line summaries of a run, for the console and the journal.
public enum RunSummary {
    public static func line(_ report: ExecutionReport) -> String {
        let roles = report.roles.map { outcome -> String in
            var parts = ["\(outcome.role) \(outcome.nodes.filter { $0.state == .running }.count)/\(outcome.desired) running"]
            if let healthy = outcome.healthy { parts.append("\(healthy) healthy") }
            if let ready = outcome.ready { parts.append("\(ready) ready") }
            if !outcome.replaced.isEmpty { parts.append("replaced \(outcome.replaced.count)") }
            if !outcome.warnings.isEmpty { parts.append("degraded") }
            if let failure = outcome.failure { parts.append("failed at \(failure.step)") }
            return parts.joined(separator: ", ")
        }
        var text = roles.joined(separator: "; ")
        if report.mode == .down {
            text = "deleted \(report.deleted.count) node\(report.deleted.count == 1 ? "" : "s")"
                + (report.verification == nil ? ", none left" : ", some left (see above)")
        }
        if !report.created.isEmpty { text += " (created \(report.created.count))" }
        return text
    }

    public static func seconds(_ duration: Duration) -> String { String(format: "%.1fs", duration.timeInterval) }
}
