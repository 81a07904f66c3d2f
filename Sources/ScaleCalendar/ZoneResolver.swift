/// Finds the zone a TZID names: an IANA identifier, a libical-style prefixed one
/// (`/freeassociation.sourceforge.net/Europe/Madrid`), a Windows name (`Romance Standard Time`) through
/// the CLDR windowsZones table, or else the rules of the file's own VTIMEZONE block.
struct ZoneResolver: Sendable {
    var timezones: [String: Component]
    var cache: [String: Zone] = [:]

    init(timezones: [Component]) {
        var byID: [String: Component] = [:]
        for block in timezones {
            if let id = block.first("TZID")?.value, byID[id] == nil { byID[id] = block }
        }
        self.timezones = byID
    }

    mutating func resolve(_ tzid: String, line: Int) throws(CalendarError) -> Zone? {
        if let zone = cache[tzid] { return zone }
        let zone = try find(tzid, line: line)
        if let zone { cache[tzid] = zone }
        return zone
    }

    private func find(_ tzid: String, line: Int) throws(CalendarError) -> Zone? {
        let name = tzid.trimmingSpaces
        if name.uppercased() == "UTC" || name.uppercased() == "GMT" || name == "Etc/UTC" { return .utc }
        if let zone = Zone(iana: name), name.contains("/") { return zone }
        if let mapped = WindowsZones.iana[name], let zone = Zone(iana: mapped) { return zone }
        if name.hasPrefix("/") {
            // libical writes `/freeassociation.sourceforge.net/Tzfile/Europe/Madrid` and similar: the
            // IANA name is the longest tail that is a known zone.
            let parts = name.split(separator: "/")
            for index in parts.indices {
                let tail = parts[index...].joined(separator: "/")
                if tail.contains("/"), let zone = Zone(iana: tail) { return zone }
            }
        }
        if let block = timezones[tzid] { return try VTimezoneRules.zone(block, identifier: name) }
        return nil
    }
}
