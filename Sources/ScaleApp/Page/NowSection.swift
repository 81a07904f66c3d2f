import Foundation
import ScaleCore

/// Now: the window in force or the next one, the time to scale-up, overrides in force, who runs now.
struct NowSection: Sendable {
    var data: PageData

    var html: HTML {
        let text = PageText(zone: data.zone)
        guard let status = data.status else {
            return "<section id=\"now\"><h2>Now</h2><p class=\"bad\">The fleet could not be read: \(data.statusProblem)</p></section>"
        }
        var parts: [HTML] = []
        if let window = status.window.value {
            parts.append("<p id=\"event\" class=\"window open\" data-event-id=\"\(Int(window.eventId))\" data-event-start=\"\(text.iso(window.eventStart))\" data-event-end=\"\(text.iso(window.eventEnd))\" data-window-start=\"\(text.iso(window.start))\" data-window-end=\"\(text.iso(window.end))\"><span class=\"label\">In force</span> <b class=\"event-name\">\(window.event)</b> \(text.time(window.eventStart)) to \(text.time(window.eventEnd, clockOnly: true)); fleet window \(text.time(window.start, clockOnly: true)) to \(text.time(window.end, clockOnly: true))</p>")
        } else if let next = status.next.value {
            parts.append("<p id=\"event\" class=\"window next\" data-event-id=\"\(Int(next.eventId))\" data-event-start=\"\(text.iso(next.eventStart))\" data-event-end=\"\(text.iso(next.eventEnd))\" data-window-start=\"\(text.iso(next.start))\" data-window-end=\"\(text.iso(next.end))\"><span class=\"label\">Next</span> <b class=\"event-name\">\(next.event)</b> \(text.time(next.eventStart)) to \(text.time(next.eventEnd, clockOnly: true)); scale-up at \(text.time(next.start, clockOnly: true)), in \(text.span(from: status.now, to: next.start))</p>")
        } else {
            parts.append("<p id=\"event\" class=\"window none\">No event in the calendar ahead.</p>")
        }
        if let lock = status.lock.value { parts.append("<p>Running now: \(lock)</p>") }
        if let run = status.lastRun.value {
            parts.append("<p>Last run: #\(Int(run.id)) \(run.command) <span class=\"\(run.outcome == "ok" ? "ok" : "bad")\">\(run.outcome)</span> at \(text.time(run.at))\(run.summary.map { ": \($0)" } ?? "")</p>")
        }
        if status.overrides.isEmpty {
            parts.append("<p class=\"muted\">No override in force.</p>")
        } else {
            parts.append("<ul class=\"overrides\">\(status.overrides.map { HTML("<li>\($0)</li>") })</ul>")
        }
        let (advice, warning) = status.lead.lines(zone: data.zone)
        parts.append("<p class=\"muted\">\(advice)</p>")
        if let warning { parts.append("<p class=\"warn\">\(warning)</p>") }
        return "<section id=\"now\"><h2>Now</h2>\(parts)</section>"
    }
}
