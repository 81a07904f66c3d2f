import Crypto
import Foundation

/// The page's one style sheet, inline (no external asset), allowed by its hash in the
/// Content-Security-Policy, which allows nothing else: no script, no image, no frame, no connection.
enum PageStyle {
    static let css = """
        :root{color-scheme:light dark;--ok:#1a7f37;--warn:#b35900;--bad:#cf222e;--muted:#6e7781;--line:#d0d7de;--lead:#9ec5fe;--event:#0b5cd5;--plan:#8250df}
        *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
        header{padding:10px 16px;background:#24292f;color:#fff;display:flex;flex-wrap:wrap;gap:4px 16px;align-items:baseline}
        header h1{font-size:18px;margin:0}header .muted{color:#c9d1d9}
        main{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:12px;padding:12px}
        section{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:0}
        #week,#runs,#money,#alerts{grid-column:1/-1}h2{font-size:16px;margin:4px 0 8px}h3{font-size:14px;margin:8px 0 4px}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
        .scroll{overflow-x:auto}.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}.muted{color:var(--muted)}
        tr.node.ok td.name{border-left:4px solid var(--ok)}tr.node.warn td.name{border-left:4px solid var(--warn)}tr.node.bad td.name{border-left:4px solid var(--bad)}
        tr.role.ok th{color:var(--ok)}tr.role.warn th{color:var(--warn)}
        .label{font-weight:600;text-transform:uppercase;font-size:12px;color:var(--muted)}.window.open .label{color:var(--ok)}
        svg{width:100%;height:auto;display:block;font-size:11px}svg text{fill:currentColor}
        svg .lead{fill:var(--lead)}svg .event{fill:var(--event)}svg line.day{stroke:var(--line)}svg line.axis{stroke:var(--muted)}
        svg .past{fill:none;stroke:var(--ok);stroke-width:2}svg .plan{fill:none;stroke:var(--plan);stroke-width:2;stroke-dasharray:6 4}
        svg line.now{stroke:var(--bad);stroke-width:1.5}svg text.now{fill:var(--bad)}svg text.event-label{font-weight:600}
        svg rect.ok{fill:var(--ok)}svg rect.warn{fill:var(--warn)}svg rect.bad{fill:var(--bad)}svg text.muted{fill:var(--muted)}
        svg .always{fill:var(--line)}svg .cost{fill:var(--event)}
        .legend{font-size:12px;color:var(--muted)}.key{display:inline-block;width:12px;height:10px;margin:0 2px 0 8px;vertical-align:middle}
        .key.lead{background:var(--lead)}.key.event{background:var(--event)}.key.past{background:var(--ok)}.key.plan{background:var(--plan)}
        .key.always{background:var(--line)}.key.cost{background:var(--event)}
        ul{padding-left:18px;margin:4px 0}.errors{color:var(--bad)}form{display:flex;gap:8px;margin:24px}
        @media (max-width:800px){main{grid-template-columns:minmax(0,1fr);padding:6px}svg.week{min-width:760px}svg.steps,svg.money{min-width:640px}section{padding:6px 8px}header h1{font-size:16px}}
        """

    /// `'sha256-…'` of the style sheet, for `style-src`.
    static let hash: String = "'sha256-" + Data(SHA256.hash(data: Data(css.utf8))).base64EncodedString() + "'"

    /// The policy for every page response (and as a meta element in the written file).
    static let contentSecurityPolicy =
        "default-src 'none'; style-src \(hash); img-src 'none'; script-src 'none'; connect-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
}
