import Foundation

/// A fragment of HTML. Built by string interpolation in which every interpolated `String`, number or
/// date is escaped; only another `HTML` value goes in as markup. Event names, node names and provider
/// messages are untrusted (they come from calendars and cloud APIs): there is no way to put them in
/// raw by accident.
struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var markup: String

    init(stringLiteral value: String) { markup = value }
    init(stringInterpolation: Interpolation) { markup = stringInterpolation.markup }
    /// Markup produced in this module (an SVG path built from numbers, the style sheet).
    init(trusted markup: String) { self.markup = markup }

    var description: String { markup }

    static func joined(_ parts: [HTML], separator: HTML = "") -> HTML {
        HTML(trusted: parts.map(\.markup).joined(separator: separator.markup))
    }

    /// Text made safe for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    struct Interpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { markup += literal }
        mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
        mutating func appendInterpolation(_ parts: [HTML]) { markup += HTML.joined(parts).markup }
        mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
        mutating func appendInterpolation(_ text: String?) { markup += HTML.escape(text ?? "") }
        mutating func appendInterpolation(_ number: Int) { markup += String(number) }
        /// A coordinate or length for SVG, two decimals.
        mutating func appendInterpolation(_ number: Double) { markup += String(format: "%.2f", number.isFinite ? number : 0) }
    }
}
