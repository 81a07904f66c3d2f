import Foundation
import ScaleCore
import ScaleStore

/// An event as typed by a person or read from a file, before checking.
struct EventInput {
    var name: String
    var start: String
    var end: String
    var timeZone: String?
    var counts: [String]
    var notes: String?
    /// An iCalendar event with a start and no length (RFC 5545: an instant) may end when it starts.
    var instantAllowed = false

    /// Checks the input against the configuration: times read in the event's zone, end after start,
    /// known roles and whole counts. Returns the problem as a sentence.
    func validated(fleet: FleetSettings) -> Result<NewEvent, InputError> {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return .failure(InputError("the event has no name")) }
        guard name.count <= 200 else { return .failure(InputError("the name is longer than 200 characters")) }
        let zoneName = timeZone.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } ?? fleet.timeZone.identifier
        guard let zone = TimeText.zone(zoneName) else {
            return .failure(InputError("\"\(zoneName)\" is not an IANA time zone such as Europe/Madrid"))
        }
        let startDate: Date
        let endDate: Date
        do {
            startDate = try TimeText.parse(start, zone: zone)
        } catch {
            return .failure(InputError("start: \(error)"))
        }
        do {
            endDate = try TimeText.parse(end, zone: zone)
        } catch {
            return .failure(InputError("end: \(error)"))
        }
        guard endDate > startDate || (instantAllowed && endDate == startDate) else {
            return .failure(InputError("the end (\(TimeText.local(endDate, zone: zone))) is not after the start (\(TimeText.local(startDate, zone: zone)))"))
        }
        var parsed: [String: Int] = [:]
        for item in counts {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let count = Int(parts[1]), count >= 0, count <= 1000 else {
                return .failure(InputError("count \"\(item)\" is not ROLE=N with N a whole number from 0 to 1000"))
            }
            guard let role = fleet.role(parts[0]) else {
                return .failure(InputError("count \"\(item)\" names the role \"\(parts[0])\", which is not configured (roles: \(fleet.roles.map(\.name).joined(separator: ", ")))"))
            }
            if let cap = role.maxNodes, count > cap {
                return .failure(InputError("count \"\(item)\" is more than max_nodes \(cap) for \(role.name)"))
            }
            parsed[parts[0]] = count
        }
        return .success(NewEvent(
            name: name, start: startDate, end: endDate, timeZone: zone.identifier, counts: parsed,
            notes: notes.flatMap { $0.isEmpty ? nil : $0 }))
    }

    /// `frontal=6 celery=4` (spaces, semicolons or commas between) into items.
    static func splitCounts(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "," }).map(String.init)
    }
}
