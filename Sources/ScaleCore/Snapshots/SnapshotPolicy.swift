import Foundation

/// The label a fleet's own snapshots carry beside the ownership labels: the local day it was taken.
public enum SnapshotLabel {
    public static let date = "scalectl-date"
}

/// The pure decisions of the daily snapshots: when, what name and labels, and which to delete.
public enum SnapshotPolicy {
    /// `2026-12-01`: the local day of `instant` in `zone`.
    public static func day(_ instant: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The first instant strictly after `now` at which the local clock in `zone` reads `minutes` past
    /// midnight. On a day when that time does not exist (DST gap), the calendar library moves it forward.
    public static func nextTake(after now: Date, minutes: Int, zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(hour: minutes / 60, minute: minutes % 60, second: 0)
        return calendar.nextDate(after: now, matching: components, matchingPolicy: .nextTime) ?? now + .seconds(86_400)
    }

    /// The last take instant at or before `now` (today's, or yesterday's when today's is still ahead).
    public static func lastTake(atOrBefore now: Date, minutes: Int, zone: TimeZone) -> Date {
        var take = nextTake(after: now - .seconds(2 * 86_400), minutes: minutes, zone: zone)
        while case let next = nextTake(after: take, minutes: minutes, zone: zone), next <= now { take = next }
        return take
    }

    /// Name and labels of a role's snapshot taken at `instant`: `{fleet}-{role}-{day}-{HHmm}`, labelled with
    /// the fleet, the role and the day (and the `labels` selector's own pairs, so it finds them).
    public static func naming(fleet: String, role: String, at instant: Date, zone: TimeZone, selector: String) -> (name: String, labels: [String: String]) {
        let day = day(instant, zone: zone)
        var labels = equalityPairs(selector) ?? [:]
        labels[OwnershipLabel.fleet] = fleet
        labels[OwnershipLabel.role] = role
        labels[SnapshotLabel.date] = day
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let time = calendar.dateComponents([.hour, .minute], from: instant)
        return (String(format: "%@-%@-%@-%02d%02d", fleet, role, day, time.hour ?? 0, time.minute ?? 0), labels)
    }

    /// The selector a role with a template chooses its snapshots by when `labels` is not given.
    public static func ownSelector(fleet: String, role: String) -> String {
        "\(OwnershipLabel.fleet)=\(fleet),\(OwnershipLabel.role)=\(role)"
    }

    /// `role=frontal,tier=web` as pairs; nil when the selector says more than `key=value` pairs.
    public static func equalityPairs(_ selector: String) -> [String: String]? {
        var pairs: [String: String] = [:]
        for part in selector.split(separator: ",") {
            let pair = part.replacingOccurrences(of: "==", with: "=").split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, !pair[0].contains("!"), !pair[1].isEmpty, !pair[0].contains(" "), !pair[1].contains(" ")
            else { return nil }
            pairs[pair[0]] = pair[1]
        }
        return pairs
    }

    /// The images to delete so that `keep` of this fleet's own remain, oldest first; a failed image
    /// counts for nothing and goes. Never an image without this fleet's label, never the newest available
    /// one, never one still being created, never one in `inUse` (the images live nodes were created from).
    public static func prunable(_ images: [ImageRecord], keep: Int, fleet: String, inUse: Set<String>) -> [ImageRecord] {
        let own = images.filter { $0.labels[OwnershipLabel.fleet] == fleet }
            .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        let newestAvailable = own.first { $0.status == .available }?.id
        let beyond = own.filter { $0.status != .failed }.dropFirst(max(keep, 0)) + own.filter { $0.status == .failed }
        return beyond
            .filter { $0.id != newestAvailable && $0.status != .creating && !inUse.contains($0.id) }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
}
