import Foundation
import ScaleCore
import Synchronization

/// Alerts and a hand-moved clock for the alert tests.
enum Fixture {
    static let zone = TimeZone(identifier: "Europe/Madrid")!
    static let now = try! TimeText.parse("2026-11-23T20:22", zone: zone)
    static let event = Event(id: 1, name: "Gala ñandú", start: try! TimeText.parse("2026-11-23T21:00", zone: zone), end: try! TimeText.parse("2026-11-23T23:00", zone: zone), timeZone: zone.identifier)

    /// A failed create with a node, a detail and the provider's answer.
    static func failure(role: String = "frontal", step: String = "create", at instant: Date = now) -> Alert {
        let failure = StepFailure(
            role: role, step: step, summary: "1 of 3 \(role) nodes could not be created",
            nodes: [Node(id: "812", name: "t-\(role)-1-1", state: .running, privateIP: "10.0.0.7")],
            details: ["t-\(role)-1-2: resource_unavailable: server type cpx31 is not available right now"],
            providerError: ProviderError(
                provider: "sim", operation: "create t-\(role)-1-2", status: 412, code: "resource_unavailable", message: "server type cpx31 is not available right now",
                requestID: "sim-1a2b3c4d"),
            action: "kept the 2 created; a re-run creates only the missing ones")
        return Alert.failure(failure, command: "up", fleet: "t", event: event, zone: zone, now: instant)
    }
}

/// A clock tests move by hand.
final class ManualClock: ScaleClock {
    private let current: Mutex<Date>

    init(_ start: Date = Fixture.now) { current = Mutex(start) }

    func now() -> Date { current.withLock { $0 } }
    func advance(_ duration: Duration) { current.withLock { $0 = $0 + duration } }
    func sleep(for duration: Duration) async throws { advance(duration) }
}
