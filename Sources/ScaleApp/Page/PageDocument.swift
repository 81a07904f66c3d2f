import Foundation

/// The whole page: head (policy, refresh, style), header, and the six sections.
struct PageDocument: Sendable {
    var data: PageData
    /// Seconds between reloads; nil for a written file.
    var refresh: Int?

    var html: HTML {
        let text = PageText(zone: data.zone)
        let sections: [HTML] = [
            NowSection(data: data).html, FleetSection(data: data).html, WeekChart(week: data.week, zone: data.zone).html,
            RunsSection(data: data).html, MoneySection(data: data).html, AlertsSection(data: data).html,
        ]
        return Self.wrap(title: "scalectl · \(data.fleet)", refresh: refresh, body: """
            <header><h1>scalectl · fleet \(data.fleet)</h1><span class="muted">on \(data.provider), \
            \(text.time(data.now))\(refresh.map { HTML(", refreshes every \($0)s") } ?? "")</span></header>\
            <main>\(sections)</main>
            """)
    }

    /// A complete document around `body`, with the style sheet and the policy.
    static func wrap(title: String, refresh: Int? = nil, body: HTML) -> HTML {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8">\
        <meta http-equiv="Content-Security-Policy" content="\(PageStyle.contentSecurityPolicy)">\
        <meta name="viewport" content="width=device-width, initial-scale=1">\
        \(refresh.map { HTML("<meta http-equiv=\"refresh\" content=\"\($0)\">") } ?? "")\
        <meta name="referrer" content="no-referrer"><title>\(title)</title>\
        <style>\(HTML(trusted: PageStyle.css))</style></head><body>\(body)</body></html>
        """
    }
}
