import Foundation
import ScaleCore

extension ConfigLoader {
    /// `snapshot = { labels = "role=frontal", max_age = "30h" }`, and with the controller taking them
    /// itself `from = "frontal-template", take_at = "17:00", keep = 7` (optional `consistent = "shutdown"`,
    /// `within = "1h"`). With `from`, `labels` may be left out: the role then chooses the fleet's own.
    static func snapshotRule(_ table: TOMLReader, role: String, fleet: String, matching: SnapshotRule.Matching = .labels) throws -> SnapshotRule {
        let maxAge = try table.duration("max_age") ?? .seconds(30 * 3600)
        if matching == .namePrefix {
            return try namePrefixRule(table, role: role, maxAge: maxAge)
        }
        if table.has("name_prefix") {
            throw table.error("name_prefix", "only a DigitalOcean provider chooses snapshots by name; this provider's snapshots are chosen by labels = \"role=\(role)\"")
        }
        guard let from = try table.string("from") else {
            for key in ["take_at", "keep", "consistent", "within"] where table.has(key) {
                throw table.error(key, "needs from = \"TEMPLATE-SERVER\": \(key) only says how scalectl takes the snapshots itself")
            }
            let rule = SnapshotRule(selector: try table.requiredString("labels"), maxAge: maxAge)
            try table.finish()
            return rule
        }
        guard !from.trimmingCharacters(in: .whitespaces).isEmpty, !from.contains("=") || SnapshotPolicy.equalityPairs(from) != nil else {
            throw table.error("from", "\"\(from)\" is neither a server name nor a label selector of key=value pairs such as \"role=frontal-template\"")
        }
        guard let takeAt = try table.string("take_at") else {
            throw table.error("take_at", "is required with from: the local time to take the snapshot, such as take_at = \"17:00\"")
        }
        guard let minutes = minutesOfDay(takeAt) else {
            throw table.error("take_at", "\"\(takeAt)\" is not a time of day HH:MM such as \"17:00\"")
        }
        let keep = try table.int("keep", in: 1...365) ?? 7
        var consistent = false
        if let mode = try table.string("consistent") {
            guard mode == "shutdown" else {
                throw table.error("consistent", "\"\(mode)\" is not known; the only value is \"shutdown\" (stop the template while it is imaged)")
            }
            consistent = true
        }
        let within = try table.duration("within") ?? .seconds(3600)
        let selector = try table.string("labels") ?? SnapshotPolicy.ownSelector(fleet: fleet, role: role)
        if SnapshotPolicy.equalityPairs(selector) == nil {
            throw table.error("labels", "with from, labels must be key=value pairs (the taken snapshots carry them), not \"\(selector)\"")
        }
        try table.finish()
        return SnapshotRule(
            selector: selector, maxAge: maxAge,
            template: SnapshotTemplate(from: from, takeAtMinutes: minutes, keep: keep, consistent: consistent, within: within))
    }

    /// `snapshot = { name_prefix = "frontal-", max_age = "30h" }` (DigitalOcean): the newest snapshot whose
    /// name starts with the prefix. Its snapshots carry no labels, and scalectl does not take them there.
    private static func namePrefixRule(_ table: TOMLReader, role: String, maxAge: Duration) throws -> SnapshotRule {
        for key in ["labels", "from", "take_at", "keep", "consistent", "within"] where table.has(key) {
            throw table.error(
                key, "is not used with DigitalOcean: its snapshots carry no labels and scalectl does not take them there; choose them with name_prefix = \"\(role)-\"")
        }
        let prefix = try table.requiredString("name_prefix")
        guard !prefix.isEmpty else { throw table.error("name_prefix", "must not be empty, such as name_prefix = \"\(role)-\"") }
        try table.finish()
        return SnapshotRule(selector: prefix, maxAge: maxAge, matching: .namePrefix)
    }

    /// `17:00` → 1020; nil when it is not HH:MM.
    static func minutesOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return hour * 60 + minute
    }
}
