import Foundation
import ScaleCore

/// `daily-snapshot.ROLE`: for each role whose snapshots scalectl takes itself (`snapshot.from`), today's
/// (the local day in the controller's zone) is there and available, or will be taken at `take_at` before
/// the next scale-up starts.
extension Doctor {
    func dailySnapshotChecks(bundle: ProviderBundle, calls: ProviderCalls, scene: Scene) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        for role in context.fleet.roles {
            guard let template = role.snapshot.template else { continue }
            checks.append(await dailySnapshotCheck(role, template: template, bundle: bundle, calls: calls, scene: scene))
        }
        return checks
    }

    func dailySnapshotCheck(
        _ role: RoleSettings, template: SnapshotTemplate, bundle: ProviderBundle, calls: ProviderCalls, scene: Scene
    ) async -> DoctorCheck {
        let id = "daily-snapshot.\(role.name)"
        let title = "daily snapshot \(role.name)"
        guard let taker = bundle.snapshots else {
            return DoctorCheck(id: id, title: title, status: .skipped, detail: "not checked: \(bundle.provider.name) cannot take snapshots", role: role.name)
        }
        let zone = context.fleet.timeZone
        let today = SnapshotPolicy.day(scene.now, zone: zone)
        let images: [ImageRecord]
        do {
            images = try await calls.call("snapshot", "list the \(role.name) snapshots") { try await taker.ownedImages(role: role.name) }
        } catch {
            return .failed(id, title, role: role.name, error)
        }
        let todays = images.filter { $0.labels[SnapshotLabel.date] == today }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        if let ready = todays.first(where: { $0.status == .available }) {
            return DoctorCheck(id: id, title: title, status: .ok, detail: "today's \(ready.summary), taken from \(template.from), is available", role: role.name)
        }
        let run = "run scalectl snapshot --role \(role.name) (and check that the daemon or cron takes it at \(Self.clock(template.takeAtMinutes)))"
        if let creating = todays.first(where: { $0.status == .creating }) {
            return DoctorCheck(
                id: id, title: title, status: .warning, detail: "today's \(creating.summary) from \(template.from) is still being created",
                fix: "wait for it; if it stays creating, check the template \(template.from) at the provider, then \(run)", role: role.name)
        }
        let take = SnapshotPolicy.nextTake(after: scene.now, minutes: template.takeAtMinutes, zone: zone)
        let takeText = TimeText.local(take, zone: zone)
        let failed = todays.first.map { "; today's \($0.summary) failed" } ?? ""
        if SnapshotPolicy.day(take, zone: zone) == today {
            guard let start = scene.scaleUp, start <= take else {
                return DoctorCheck(
                    id: id, title: title, status: .ok,
                    detail: "today's is taken from \(template.from) at \(takeText), before the next scale-up\(failed)", role: role.name)
            }
            return DoctorCheck(
                id: id, title: title, status: .failed,
                detail: "today's \(role.name) snapshot from \(template.from) is taken at \(takeText), after the scale-up starts at \(TimeText.local(start, zone: zone))",
                fix: "run scalectl snapshot --role \(role.name) now, or set roles.\(role.name).snapshot.take_at earlier",
                role: role.name)
        }
        return DoctorCheck(
            id: id, title: title, status: .failed,
            detail: "no available \(role.name) snapshot for today (\(today)) from the template \(template.from)\(failed)",
            fix: run, role: role.name)
    }

    /// `17:00`.
    private static func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
}
