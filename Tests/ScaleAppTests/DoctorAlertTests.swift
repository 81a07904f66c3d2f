import Foundation
import ScaleApp
import ScaleCore
import ScaleStore
import ScaleTesting
import Synchronization
import Testing

/// A channel that refuses every delivery, like a webhook answering 500.
private struct BrokenChannel: AlertChannel {
    let name = "webhook.ops"
    let target = "https://hooks.example.org/scalectl"

    func deliver(_ alert: Alert) async throws(AlertDeliveryError) {
        throw AlertDeliveryError("https://hooks.example.org/scalectl answered HTTP 500", retryable: false)
    }
}

/// A channel that keeps what it is given.
private final class RecordingChannel: AlertChannel {
    let name = "recorder"
    let target = "memory"
    private let received = Mutex<[Alert]>([])

    var alerts: [Alert] { received.withLock { $0 } }

    func deliver(_ alert: Alert) async throws(AlertDeliveryError) { received.withLock { $0.append(alert) } }
}

/// Doctor's alerting through the one alert dispatcher, in process on the sim: a channel failing the test
/// alert fails doctor, and failed checks are alerted on every channel.
@Suite(.serialized)
struct DoctorAlertTests {
    static func context(_ fleet: TestFleet) async throws -> AppContext {
        let context = try AppContext(
            GlobalOptions(config: fleet.config, at: "2026-11-23T16:30", quiet: true), logger: TestTools.quietLogger)
        let zone = context.fleet.timeZone
        _ = try await context.store.addEvent(NewEvent(
            name: "Gala", start: try TimeText.parse("2026-11-23 21:00", zone: zone), end: try TimeText.parse("2026-11-23 23:00", zone: zone),
            timeZone: zone.identifier))
        return context
    }

    @Test func aChannelFailingTheTestAlertFailsDoctor() async throws {
        let fleet = try TestFleet()
        defer { fleet.directory.remove() }
        let context = try await Self.context(fleet)
        let recorder = RecordingChannel()
        let doctor = Doctor(context: context, extra: [BrokenChannel(), recorder])

        let report = try await doctor.run(sendTest: true)
        #expect(report.status == .failed)
        #expect(report.failed.map(\.id) == ["alerts"], "\(report.failed)")
        let check = try #require(report.failed.first)
        #expect(check.detail == "the test alert failed on 1 of 3 channels: webhook.ops: https://hooks.example.org/scalectl answered HTTP 500")
        #expect(check.fix?.contains("[alerts] settings") == true)
        #expect(report.tests.map(\.channel) == ["stderr", "webhook.ops", "recorder"])
        #expect(report.tests.map(\.delivered) == [true, false, true])

        #expect(recorder.alerts.map(\.kind) == [.test, .failure], "the test alert, then the failure alert")
        let alert = try #require(recorder.alerts.last)
        #expect(alert.title.hasPrefix("Gala 2026-11-23 21:00 +01:00: preflight check failed: alert channels: the test alert failed"), "\(alert.title)")
        // The rehearsal clock runs on from 16:30: "270 min", or one less if this machine took over 30 s.
        #expect(alert.title.hasSuffix("270 min before start") || alert.title.hasSuffix("269 min before start"), "\(alert.title)")
        #expect(alert.command == "doctor" && alert.step == "doctor alerts" && alert.event?.id == 1)
        #expect(report.alerted.map(\.channel) == ["stderr", "webhook.ops", "recorder"])
        #expect(report.alerted.map(\.delivered) == [true, false, true])
    }

    @Test func withoutSendTestAPassingRunSendsNothing() async throws {
        let fleet = try TestFleet()
        defer { fleet.directory.remove() }
        let context = try await Self.context(fleet)
        let recorder = RecordingChannel()
        let report = try await Doctor(context: context, extra: [BrokenChannel(), recorder]).run(sendTest: false)
        #expect(report.status == .ok, "\(report.failed)")
        #expect(recorder.alerts.isEmpty)
        #expect(report.checks.last?.detail == "stderr, webhook.ops, recorder; not tested (doctor --send-test sends a test alert through each)")
    }

    @Test func aFailedCheckIsOneAlertPerCheckWithItsRoleAndFix() async throws {
        let fleet = try TestFleet(extraProvider: "[provider.faults]\nmissing_balancers = [\"t-lb\"]\nunavailable_types = [\"cpx41\"]")
        defer { fleet.directory.remove() }
        let context = try await Self.context(fleet)
        let recorder = RecordingChannel()
        let report = try await Doctor(context: context, extra: [recorder]).run(sendTest: false)
        #expect(report.failed.map(\.id) == ["load-balancer.t-lb", "server-type.cpx41"])
        let alerts = recorder.alerts
        #expect(alerts.map(\.step) == ["doctor load-balancer.t-lb", "doctor server-type.cpx41"])
        #expect(Set(alerts.map(\.problemKey)).count == 2, "two problems, deduplicated apart")
        #expect(alerts.first?.details.last == "To do: create it with its services and health checks, or fix roles.frontal.load_balancer")
    }
}
