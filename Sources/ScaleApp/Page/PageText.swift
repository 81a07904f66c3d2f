import Foundation
import ScaleCore

/// How the page words times, durations and money (the console's formats, so the page reads like `status`).
struct PageText: Sendable {
    var zone: TimeZone

    func local(_ date: Date) -> String { TimeText.local(date, zone: zone) }
    func clock(_ date: Date) -> String { TimeText.clock(date, zone: zone) }
    func iso(_ date: Date) -> String { TimeText.iso(date) }
    func seconds(_ value: Double) -> String { value < 60 ? String(format: "%.1fs", value) : DurationText.format(.seconds(Int(value.rounded()))) }
    func span(from: Date, to: Date) -> String { DurationText.format(.seconds(Int(max(0, to.timeIntervalSince(from)).rounded()))) }
    static func money(_ value: Double?, _ currency: String) -> String { value.map { String(format: "%.2f %@", $0, currency) } ?? "unknown" }

    /// `<time>` with the machine-readable instant and the local reading.
    func time(_ date: Date, clockOnly: Bool = false) -> HTML {
        "<time datetime=\"\(iso(date))\">\(clockOnly ? clock(date) : local(date))</time>"
    }
}
