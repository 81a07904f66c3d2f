import Foundation
import ScaleCore

/// `scalectl snapshot [--role R]`: takes the roles' daily snapshots through the run coordinator and
/// shows what happened. Presentation only: the job is sequenced in ``RunCoordinator/takeSnapshots(roles:)``.
public struct SnapshotRun: Sendable {
    public let context: AppContext
    /// More alert channels beside the console and `[alerts]` (tests record deliveries there).
    public let extraChannels: [any AlertChannel]

    public init(context: AppContext, extraChannels: [any AlertChannel] = []) {
        self.context = context
        self.extraChannels = extraChannels
    }

    /// - Throws: ``InputError`` when a role is unknown or has no template (nothing was changed).
    public func run(roles: [String]?) async throws -> ExitStatus {
        let console = context.console
        var coordinator = try await context.coordinator(extraChannels: extraChannels)
        let zone = context.fleet.timeZone
        let dedupe = coordinator.alerts.settings.dedupe
        coordinator.notices = { notice in
            switch notice {
            case .tookOverLock, .tookOverLease:
                console.problem(notice.takeoverWarning)
            case .alerted(let deliveries):
                AlertOutput.show(deliveries, console: console, zone: zone, dedupe: dedupe)
            case .acting:
                break
            }
        }
        let result: SnapshotRunResult
        do {
            result = try await coordinator.takeSnapshots(roles: roles)
        } catch let error as SnapshotJobError {
            throw InputError("snapshot: \(error)")
        }
        for outcome in result.roles {
            if let failure = outcome.failure {
                console.problem("snapshot \(outcome.role) (template \(outcome.template)): FAILED: \(failure.summary)")
            } else if let image = outcome.image {
                let pruned = outcome.deleted.isEmpty ? "" : "; deleted \(outcome.deleted.map(\.name).joined(separator: ", "))"
                console.line("snapshot \(outcome.role): \(image.name) (id \(image.id)) \(outcome.reused ? "was there already" : "taken from \(outcome.template)")\(pruned)")
            }
        }
        if console.json {
            console.emit(SnapshotOutput(runID: result.run.runID ?? 0, roles: result.roles.map(SnapshotOutput.Role.init)))
        }
        return result.run.outcome == .ok ? .ok : .failed
    }
}

/// `scalectl snapshot --json`.
struct SnapshotOutput: Encodable {
    struct Role: Encodable {
        var role: String
        var template: String
        var image: ImageRecord?
        var reused: Bool
        var deleted: [String]
        var failure: String?

        init(_ outcome: SnapshotOutcome) {
            role = outcome.role
            template = outcome.template
            image = outcome.image
            reused = outcome.reused
            deleted = outcome.deleted.map(\.id)
            failure = outcome.failure?.summary
        }
    }

    var runID: Int64
    var roles: [Role]
}
