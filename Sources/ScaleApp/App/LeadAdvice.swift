import Foundation
import ScaleCore

/// Whether the configured lead gives scale-ups enough time, from what past scale-ups took.
struct LeadAdvice: Encodable, Sendable {
    var auto: Bool
    /// The lead in use, in seconds (learned when auto).
    var lead: Double
    /// What past scale-ups need (slowest role's p90 plus safety), in seconds; nil without history.
    var needed: Double?
    var samples: Int
    var perRole: [String: Double]
    /// When the next event's scale-up must start to be ready at its start.
    var mustStartBy: Date?
    var warning: String?

    /// How many recent scale-ups the estimate looks at.
    static let window = 50

    init(estimate: LeadEstimate, auto: Bool, lead: Duration, next: Event?, zone: TimeZone) {
        self.auto = auto
        self.lead = lead.timeInterval
        needed = estimate.needed?.timeInterval
        samples = estimate.samples
        perRole = estimate.perRole.mapValues(\.timeInterval)
        mustStartBy = next.flatMap { estimate.mustStart(before: $0.start) }
        if let needed = estimate.needed, needed > lead, let next {
            warning = "the lead \(DurationText.format(lead)) is shorter than the \(DurationText.format(needed)) a scale-up needs"
                + " (p90 of \(estimate.samples) runs plus \(DurationText.format(estimate.safety)) safety): \(next.title) at"
                + " \(TimeText.local(next.start, zone: zone)) would be ready about \(TimeText.local(next.start - lead + needed, after: next.start, zone: zone));"
                + " raise lead or set lead = \"auto\""
        }
    }

    /// For people: the advice, with when the next scale-up must start, and the warning when there is one.
    func lines(zone: TimeZone) -> (advice: String, warning: String?) {
        (line + (mustStartBy.map { "; the next scale-up must start by \(TimeText.local($0, zone: zone))" } ?? ""),
         warning.map { "warning: \($0)" })
    }

    /// One line for people.
    var line: String {
        var text = auto ? "lead: auto, \(DurationText.format(Duration(timeInterval: lead)))" : "lead: \(DurationText.format(Duration(timeInterval: lead)))"
        if let needed {
            text += "; scale-ups need \(DurationText.format(Duration(timeInterval: needed.rounded()))) (p90 of \(samples) run\(samples == 1 ? "" : "s") plus safety)"
        } else {
            text += "; no scale-up history yet"
        }
        return text
    }
}
