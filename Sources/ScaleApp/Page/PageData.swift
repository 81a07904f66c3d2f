import Foundation
import ScaleCore

/// Everything the page shows, gathered by the code behind `status --json`, `history --json` and
/// `cost --json` (no second computation), plus the week and the last alerts.
struct PageData: Sendable {
    var fleet: String
    var provider: String
    var zone: TimeZone
    var now: Date
    /// `status --json`; nil when the provider could not be read (then `statusProblem` says why).
    var status: StatusReport.Output?
    var statusProblem: String?
    var week: WeekTimeline
    /// `history --json`, newest first.
    var runs: [HistoryReport.Output]
    /// `cost --json --since` thirty days ago.
    var money: CostOutput
    var alerts: [AlertEntry]
    /// The configured roles in the file's order.
    var roleOrder: [String]

    static let runCount = 6
    static let alertCount = 10

    /// Reads the database and the provider (for the fleet and its readiness), never changing anything.
    static func gather(_ context: AppContext) async throws -> PageData {
        var status: StatusReport.Output?
        var problem: String?
        do {
            status = try await StatusReport(context: context).gather()
        } catch {
            problem = "\(error)"
        }
        let input = try await context.plannerInput(.reconcile)
        let now = input.now
        let report = CostReport(context: context)
        let money = try await report.output(try await report.compute(eventID: nil, since: now.addingTimeInterval(-30 * 86_400)))
        let week = WeekTimeline(
            now: now, windows: input.windows, overrides: input.activeOverrides, roles: input.settings.roles,
            lives: CostReport.lives(try await context.store.ledger()))
        return PageData(
            fleet: context.fleet.fleet, provider: context.configuration.provider.kind, zone: context.fleet.timeZone, now: now,
            status: status, statusProblem: problem, week: week,
            runs: HistoryReport.entries(try await context.store.history(limit: runCount)), money: money,
            alerts: try await context.store.alerts(limit: alertCount), roleOrder: context.fleet.roles.map(\.name))
    }
}
