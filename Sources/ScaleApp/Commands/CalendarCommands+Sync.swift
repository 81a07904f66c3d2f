import Foundation
import ScaleCore

extension CalendarCommands {
    /// `scalectl calendar sync [SOURCE] [--accept-removals]`: syncs the configured feeds (or the one named) now.
    public func sync(source name: String?, acceptRemovals: Bool) async throws -> ExitStatus {
        let sources = context.configuration.calendar.sources
        guard !sources.isEmpty else {
            throw InputError("no calendar feeds: add [calendar] sources = [\"https://…/basic.ics\"] to \(context.configuration.file)")
        }
        let chosen = name.map { wanted in sources.filter { $0.name == wanted } } ?? sources
        guard !chosen.isEmpty else {
            throw InputError("\"\(name ?? "")\" is not a configured source (sources: \(sources.map(\.name).joined(separator: ", ")))")
        }
        let sync = CalendarSync(context: context)
        var reports: [CalendarSync.Report] = []
        for source in chosen {
            reports.append(await sync.sync(source, now: context.clock.now(), acceptRemovals: acceptRemovals))
        }
        await CalendarSync.alert(reports, context: context)
        if context.console.json {
            context.console.emit(reports)
        } else {
            for report in reports { context.console.line(Self.describe(report)) }
        }
        return reports.contains { $0.problem != nil || !$0.held.isEmpty } ? .failed : .ok
    }

    static func describe(_ report: CalendarSync.Report) -> String {
        if let problem = report.problem { return "\(report.source): failed: \(problem); the last good calendar is kept" }
        if report.notModified { return "\(report.source): not modified" }
        var text = "\(report.source): \(report.added) added, \(report.updated) updated, \(report.removed) removed"
        if report.skipped > 0 { text += ", \(report.skipped) already in the calendar" }
        if !report.held.isEmpty {
            text += "\nheld for on-call (scalectl calendar sync --accept-removals):\n" + report.held.map { "  \($0)" }.joined(separator: "\n")
        }
        return text
    }
}

extension CalendarSync {
    /// Alerts on-call of failed feeds and held removals, one problem per feed (deduplicated).
    public static func alert(_ reports: [Report], context: AppContext) async {
        let alerts = reports.filter { $0.problem != nil || !$0.held.isEmpty }.map {
            Alert.calendarFeed(source: $0.source, problem: $0.problem, held: $0.held, fleet: context.fleet.fleet, now: context.clock.now())
        }
        guard !alerts.isEmpty, let dispatcher = try? context.alertDispatcher() else { return }
        _ = await dispatcher.failed(alerts, runID: nil, mode: "calendar-sync")
    }

    /// The hook `reconcile` and the daemon call: syncs the feeds that are due and alerts; never throws.
    public static func runIfDue(context: AppContext) async {
        guard !context.configuration.calendar.sources.isEmpty else { return }
        let reports = await CalendarSync(context: context).syncIfDue(now: context.clock.now())
        await alert(reports, context: context)
    }
}
