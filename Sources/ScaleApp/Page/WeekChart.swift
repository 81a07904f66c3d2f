import Foundation
import ScaleCore

/// The week as inline SVG: a band with each window (lead and margin shaded, the event solid) and below
/// it the fleet size as a step chart (solid: the ledger; dashed: the plan), with a line at now. A list
/// of the week's events follows for reading and for screen readers.
struct WeekChart: Sendable {
    var week: WeekTimeline
    var zone: TimeZone

    static let width = 1000.0
    static let bandTop = 22.0, bandHeight = 34.0
    static let chartTop = 80.0, chartHeight = 110.0

    func x(_ date: Date) -> Double {
        let span = week.to.timeIntervalSince(week.from)
        return max(0, min(1, date.timeIntervalSince(week.from) / span)) * Self.width
    }

    func y(_ count: Int) -> Double { Self.chartTop + Self.chartHeight * (1 - Double(count) / Double(week.peak)) }

    var html: HTML {
        let text = PageText(zone: zone)
        let items: [HTML] = week.windows.map { window in
            let events: [HTML] = window.events.map { event in
                "<li data-event-id=\"\(Int(event.id))\"><b class=\"event-name\">\(event.name)</b> \(text.time(event.start)) to \(text.time(event.end, clockOnly: true))</li>"
            }
            return "<li class=\"window-item\">window \(text.time(window.start)) to \(text.time(window.end, clockOnly: true))<ul>\(events)</ul></li>"
        }
        let list: HTML = items.isEmpty ? "<p class=\"muted\">No event in the next 7 days.</p>" : "<ul class=\"week-list\">\(items)</ul>"
        return """
            <section id="week"><h2>The week</h2>\
            <div class="scroll"><svg class="week" viewBox="0 0 \(Self.width) 210" role="img" aria-label="windows and fleet size, a day ago to 7 days ahead">\
            \(days)\(bands)\(steps)\(nowLine)</svg></div>\
            <p class="legend"><span class="key lead"></span> lead and margin <span class="key event"></span> event <span class="key past"></span> nodes (ledger) <span class="key plan"></span> nodes (plan)</p>\
            \(list)</section>
            """
    }

    /// A line and a label at each local midnight.
    var days: HTML {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let formatter = DateFormatter()
        formatter.timeZone = zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE d"
        var parts: [HTML] = []
        var day = calendar.startOfDay(for: week.from)
        while day < week.to {
            if day > week.from {
                parts.append("<line class=\"day\" x1=\"\(x(day))\" y1=\"14\" x2=\"\(x(day))\" y2=\"\(Self.chartTop + Self.chartHeight)\"/>")
            }
            // The part of the first day before the next midnight gets a label only when there is room for it.
            let label = max(day, week.from)
            let room = calendar.date(byAdding: .day, value: 1, to: day).map { x($0) - x(label) } ?? Self.width
            if room > 50 {
                parts.append("<text class=\"day\" x=\"\(x(label) + 3)\" y=\"11\">\(formatter.string(from: day))</text>")
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return HTML.joined(parts)
    }

    /// Each window shaded (lead and margin), each of its events solid, at least 2 units wide to stay visible.
    var bands: HTML {
        HTML.joined(week.windows.map { window in
            let from = x(window.start), to = x(window.end)
            let events: [HTML] = window.events.map { event in
                let start = x(event.start)
                return "<rect class=\"event\" x=\"\(start)\" y=\"\(Self.bandTop)\" width=\"\(max(2, x(event.end) - start))\" height=\"\(Self.bandHeight)\"><title>\(event.name)</title></rect>"
            }
            let label = x(window.primary.start)
            return "<rect class=\"lead\" x=\"\(from)\" y=\"\(Self.bandTop)\" width=\"\(max(2, to - from))\" height=\"\(Self.bandHeight)\"/>\(events)<text class=\"event-label\" x=\"\(min(label, Self.width - 90))\" y=\"\(Self.bandTop + Self.bandHeight + 14)\">\(window.primary.name)</text>"
        })
    }

    /// The fleet size: the ledger's steps up to now, the plan's after.
    var steps: HTML {
        func path(_ steps: [WeekTimeline.Step], until end: Date) -> HTML {
            guard let first = steps.first else { return "" }
            var d = "M\(String(format: "%.2f", x(first.at))),\(String(format: "%.2f", y(first.count)))"
            for (index, step) in steps.enumerated() {
                let next = index + 1 < steps.count ? steps[index + 1].at : end
                d += String(format: " H%.2f", x(next))
                if index + 1 < steps.count { d += String(format: " V%.2f", y(steps[index + 1].count)) }
            }
            return HTML(trusted: d)
        }
        let axis = Self.chartTop + Self.chartHeight
        return """
            <line class="axis" x1="0" y1="\(axis)" x2="\(Self.width)" y2="\(axis)"/>\
            <text class="axis" x="2" y="\(Self.chartTop - 4)">\(week.peak) nodes</text>\
            <path class="past" d="\(path(week.past, until: week.now))"/>\
            <path class="plan" d="\(path(week.future, until: week.to))"/>
            """
    }

    var nowLine: HTML {
        "<line class=\"now\" x1=\"\(x(week.now))\" y1=\"14\" x2=\"\(x(week.now))\" y2=\"\(Self.chartTop + Self.chartHeight)\"/><text class=\"now\" x=\"\(x(week.now) + 3)\" y=\"\(Self.chartTop + Self.chartHeight + 14)\">now</text>"
    }
}
