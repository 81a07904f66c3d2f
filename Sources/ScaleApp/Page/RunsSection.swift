import Foundation
import ScaleCore

/// The last runs with their outcome, and per run a bar for each role-level step placed on the run's
/// own time axis (where the time of a scale-up goes); failed steps red, with their message.
struct RunsSection: Sendable {
    var data: PageData

    static let width = 1000.0, row = 18.0, labelWidth = 260.0

    var html: HTML {
        let text = PageText(zone: data.zone)
        guard !data.runs.isEmpty else { return "<section id=\"runs\"><h2>Runs</h2><p class=\"muted\">No run yet.</p></section>" }
        let runs: [HTML] = data.runs.map { entry in
            let run = entry.run
            let outcome = run.outcome.rawValue
            let took = entry.durationSeconds.map { text.seconds($0) } ?? "unfinished"
            let failed: [HTML] = entry.steps.filter { $0.outcome == .failed }.map { step in
                "<li>\(step.role ?? "run") \(step.kind)\(step.target.map { " \($0)" } ?? ""): \(step.error ?? step.detail)</li>"
            }
            let errors: HTML = failed.isEmpty && run.error == nil ? "" : "<ul class=\"errors\">\(run.error.map { HTML("<li>\($0)</li>") } ?? "")\(failed)</ul>"
            return """
                <article class="run" data-run="\(Int(run.id))"><h3>#\(Int(run.id)) \(run.command) \
                <span class="\(Self.tone(outcome))">\(outcome)</span> \(text.time(run.at)) <span class="muted">\(took)</span></h3>\
                \(run.summary.map { HTML("<p>\($0)</p>") } ?? "")\(bars(entry, text: text))\(errors)</article>
                """
        }
        return "<section id=\"runs\"><h2>Runs</h2>\(runs)</section>"
    }

    static func tone(_ outcome: String) -> String {
        switch outcome {
        case "ok", "idle": "ok"
        case "running": "warn"
        default: "bad"
        }
    }

    func bars(_ entry: HistoryReport.Output, text: PageText) -> HTML {
        let steps = entry.steps.filter { $0.target == nil && $0.role != nil }
        guard !steps.isEmpty else { return "" }
        let start = entry.run.startedAt
        let end = entry.run.endedAt ?? steps.compactMap(\.endedAt).max() ?? data.now
        let total = max(0.001, end.timeIntervalSince(start))
        let scale = (Self.width - Self.labelWidth) / total
        let rows: [HTML] = steps.enumerated().map { index, step in
            let top = Double(index) * Self.row
            let seconds = step.seconds ?? max(0, end.timeIntervalSince(step.startedAt))
            let x = Self.labelWidth + max(0, step.startedAt.timeIntervalSince(start)) * scale
            let tone = step.outcome == .ok ? "ok" : step.outcome == .failed ? "bad" : "warn"
            let label = "\(step.role ?? "") \(step.kind) \(step.seconds.map { text.seconds($0) } ?? "unfinished")"
            return "<text x=\"0\" y=\"\(top + 13)\">\(label)</text><rect class=\"\(tone)\" x=\"\(x)\" y=\"\(top + 3)\" width=\"\(max(2, seconds * scale))\" height=\"\(Self.row - 6)\"><title>\(label)</title></rect>"
        }
        return "<div class=\"scroll\"><svg class=\"steps\" viewBox=\"0 0 \(Self.width) \(Double(steps.count) * Self.row)\" role=\"img\" aria-label=\"step durations\">\(rows)</svg></div>"
    }
}
