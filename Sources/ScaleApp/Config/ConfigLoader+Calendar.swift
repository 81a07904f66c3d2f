import Foundation
import ScaleCore

extension ConfigLoader {
    /// Reads `[calendar]`: `sources`, `sync_interval`, `max_removals`, `horizon`.
    static func calendarSettings(_ root: TOMLReader, resolve: (String) -> String) throws -> CalendarSettings {
        var settings = CalendarSettings()
        guard let table = try root.table("calendar") else { return settings }
        for text in try table.strings("sources") ?? [] {
            do {
                let source = try FeedSource(text, resolve: resolve)
                guard !settings.sources.contains(where: { $0.name == source.name }) else { throw InputError("\"\(text)\" is listed twice") }
                settings.sources.append(source)
            } catch {
                throw table.error("sources", "\(error)")
            }
        }
        settings.syncInterval = try table.duration("sync_interval") ?? settings.syncInterval
        guard settings.syncInterval >= .seconds(60) else { throw table.error("sync_interval", "must be at least 1m: feeds are not polled faster") }
        settings.maxRemovals = try table.int("max_removals", in: 0...10_000) ?? settings.maxRemovals
        settings.horizon = try table.duration("horizon") ?? settings.horizon
        guard settings.horizon >= .seconds(86_400), settings.horizon <= .seconds(3 * 366 * 86_400) else {
            throw table.error("horizon", "must be from 1d to 3 years")
        }
        try table.finish()
        return settings
    }
}
