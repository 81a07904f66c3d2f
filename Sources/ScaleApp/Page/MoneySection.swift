import Foundation

/// Money: cost per event over the last 30 days beside what keeping the peak fleet on would have cost,
/// as bars, and the saving (the numbers of `cost --json --since`).
struct MoneySection: Sendable {
    var data: PageData

    static let width = 1000.0, row = 40.0, labelWidth = 300.0

    var html: HTML {
        let money = data.money
        let currency = money.currency
        guard !money.events.isEmpty else {
            return "<section id=\"money\"><h2>Money, last 30 days</h2><p class=\"muted\">No node in the ledger in the last 30 days.</p></section>"
        }
        let top = max(0.0001, money.events.map { max($0.alwaysOnCost.value ?? 0, $0.cost.value ?? 0) }.max() ?? 0)
        let scale = (Self.width - Self.labelWidth - 10) / top
        let rows: [HTML] = money.events.enumerated().map { index, event in
            let y = Double(index) * Self.row
            let name = event.name ?? event.event.map { "event \($0)" } ?? "nodes without an event"
            let cost = event.cost.value ?? 0, always = event.alwaysOnCost.value ?? 0
            return """
                <text x="0" y="\(y + 14)">\(name)</text>\
                <text class="muted" x="0" y="\(y + 30)">\(PageText.money(event.cost.value, currency)), saved \(PageText.money(event.saving.value, currency))</text>\
                <rect class="always" x="\(Self.labelWidth)" y="\(y + 4)" width="\(max(1, always * scale))" height="14"><title>peak fleet kept on: \(PageText.money(event.alwaysOnCost.value, currency))</title></rect>\
                <rect class="cost" x="\(Self.labelWidth)" y="\(y + 20)" width="\(max(1, cost * scale))" height="14"><title>cost: \(PageText.money(event.cost.value, currency))</title></rect>
                """
        }
        let total = money.total
        return """
            <section id="money"><h2>Money, last 30 days</h2>\
            <p id="money-total" data-cost="\(PageText.money(total.cost.value, currency))">\(total.events) event\(total.events == 1 ? "" : "s"), \
            \(String(format: "%.1f", total.nodeHours)) node-hours: <b>\(PageText.money(total.cost.value, currency))</b>; \
            keeping the peak fleet on: \(PageText.money(total.alwaysOnCost.value, currency)); saved <b class="ok">\(PageText.money(total.saving.value, currency))</b> \
            <span class="muted">(\(money.billing))</span></p>\
            <div class="scroll"><svg class="money" viewBox="0 0 \(Self.width) \(Double(money.events.count) * Self.row)" role="img" aria-label="cost per event">\(rows)</svg></div>\
            <p class="legend"><span class="key always"></span> peak fleet kept on <span class="key cost"></span> cost</p></section>
            """
    }
}
