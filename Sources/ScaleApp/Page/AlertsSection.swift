import Foundation
import ScaleCore

/// The last alerts and the channel each went to: the channel's name, never its address or secret.
struct AlertsSection: Sendable {
    var data: PageData

    var html: HTML {
        let text = PageText(zone: data.zone)
        guard !data.alerts.isEmpty else { return "<section id=\"alerts\"><h2>Alerts</h2><p class=\"muted\">No alert sent yet.</p></section>" }
        let rows: [HTML] = data.alerts.map { entry in
            let delivered: HTML = entry.deliveredAt.map { "<span class=\"ok\">delivered \(text.time($0, clockOnly: true))</span>" }
                ?? (entry.error == nil ? "<span class=\"warn\">sending</span>" : "<span class=\"bad\">not delivered</span>")
            let tone = entry.alert.kind == .failure ? "bad" : "ok"
            return "<tr><td>\(text.time(entry.createdAt))</td><td class=\"\(tone)\">\(entry.alert.kind.rawValue)</td><td>\(entry.channel)</td><td>\(entry.alert.title)\(entry.repeats > 0 ? " (+\(entry.repeats) repeats)" : "")</td><td>\(delivered)</td></tr>"
        }
        return "<section id=\"alerts\"><h2>Alerts</h2><div class=\"scroll\"><table><thead><tr><th>when</th><th>kind</th><th>channel</th><th>alert</th><th>delivery</th></tr></thead><tbody>\(rows)</tbody></table></div></section>"
    }
}
