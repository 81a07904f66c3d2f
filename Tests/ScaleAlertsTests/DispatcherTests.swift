import Foundation
import ScaleAlerts
import ScaleCore
import ScaleStore
import ScaleTesting
import Synchronization
import Testing

/// A channel that keeps what it was given, failing the first `failures` attempts.
final class RecordingChannel: AlertChannel {
    let name: String
    let target = "memory"
    private let state: Mutex<(sent: [Alert], attempts: Int, failures: Int, retryable: Bool)>

    init(_ name: String, failures: Int = 0, retryable: Bool = true) {
        self.name = name
        state = Mutex(([], 0, failures, retryable))
    }

    var sent: [Alert] { state.withLock { $0.sent } }
    var attempts: Int { state.withLock { $0.attempts } }
    func failNext(_ count: Int) { state.withLock { $0.failures = count } }

    func deliver(_ alert: Alert) async throws(AlertDeliveryError) {
        let failing = state.withLock { state -> Bool in
            state.attempts += 1
            guard state.failures > 0 else { state.sent.append(alert); return false }
            state.failures -= 1
            return true
        }
        if failing { throw AlertDeliveryError("connection refused", retryable: state.withLock { $0.retryable }) }
    }
}

/// Deduplication, retries, journaling and "resolved", on the real store (in memory).
struct DispatcherTests {
    let store: Store
    let clock = ManualClock()
    let email = RecordingChannel("email")
    let hook = RecordingChannel("webhook")

    init() throws { store = try Store(inMemoryFor: "t") }

    func dispatcher(notifySuccess: Bool = false) -> AlertDispatcher {
        AlertDispatcher(
            channels: [email, hook], log: store,
            settings: AlertDispatcher.Settings(dedupe: .seconds(30 * 60), notifySuccess: notifySuccess, retryDelay: .zero),
            clock: clock, logger: TestTools.quietLogger)
    }

    func resolve(_ dispatcher: AlertDispatcher, mode: String = "up", eventID: Int64? = 1, success: Alert? = nil) async -> [Delivery] {
        await dispatcher.succeeded(mode: mode, eventID: eventID, runID: 9, success: success) { problem, since, runs in
            Alert.resolved(problem, since: since, runs: runs, command: "up", run: 9, summary: "frontal 3/3 running", event: Fixture.event, zone: Fixture.zone, now: clock.now())
        }
    }

    @Test func theSameProblemIsSentOncePerDedupePeriod() async throws {
        let dispatcher = dispatcher()
        let first = await dispatcher.failed([Fixture.failure()], runID: 1, mode: "up")
        #expect(first.map(\.outcome) == [.delivered(attempts: 1), .delivered(attempts: 1)])
        clock.advance(.seconds(10 * 60))
        let second = await dispatcher.failed([Fixture.failure(at: clock.now())], runID: 2, mode: "up")
        #expect(second.allSatisfy { if case .suppressed = $0.outcome { true } else { false } }, "\(second)")
        #expect(email.sent.count == 1 && hook.sent.count == 1)

        let other = await dispatcher.failed([Fixture.failure(role: "celery", step: "resolve-snapshot", at: clock.now())], runID: 2, mode: "up")
        #expect(other.allSatisfy { $0.delivered }, "another problem is not held back")

        clock.advance(.seconds(21 * 60))
        let later = await dispatcher.failed([Fixture.failure(at: clock.now())], runID: 3, mode: "up")
        #expect(later.allSatisfy { $0.delivered }, "after the period it is sent again")
        #expect(email.sent.count == 3)
    }

    @Test func aPassingFailureIsTriedOnceMoreAndJournaled() async throws {
        email.failNext(1)
        hook.failNext(5)
        let deliveries = await dispatcher().failed([Fixture.failure()], runID: 1, mode: "up")
        #expect(deliveries.first { $0.channel == "email" }?.outcome == .delivered(attempts: 2))
        #expect(deliveries.first { $0.channel == "webhook" }?.outcome == .failed("connection refused"))
        #expect(hook.attempts == 2, "one retry, no more")
        let entries = try await store.alerts(limit: 10)
        let failed = try #require(entries.first { $0.channel == "webhook" })
        #expect(failed.deliveredAt == nil && failed.attempts == 2 && failed.error == "connection refused")
        let delivered = try #require(entries.first { $0.channel == "email" })
        #expect(delivered.deliveredAt != nil && delivered.attempts == 2 && delivered.error == nil)
        #expect(delivered.alert == Fixture.failure(), "the journal keeps what was sent")

        let again = await dispatcher().failed([Fixture.failure()], runID: 2, mode: "up")
        #expect(again.first { $0.channel == "webhook" }?.outcome == .failed("connection refused"), "an undelivered problem is tried again by the next run")
        if case .suppressed = again.first(where: { $0.channel == "email" })?.outcome {} else { Issue.record("email got it already: \(again)") }
    }

    @Test func aPermanentFailureIsNotRetried() async throws {
        let wrong = RecordingChannel("email", failures: 3, retryable: false)
        let dispatcher = AlertDispatcher(channels: [wrong], log: store, settings: .init(retryDelay: .zero), clock: clock, logger: TestTools.quietLogger)
        _ = await dispatcher.failed([Fixture.failure()], runID: 1, mode: "up")
        #expect(wrong.attempts == 1)
    }

    @Test func aSucceedingRunResolvesOpenProblemsOnTheChannelsThatWereTold() async throws {
        hook.failNext(2)
        let dispatcher = dispatcher()
        _ = await dispatcher.failed([Fixture.failure()], runID: 1, mode: "up")
        clock.advance(.seconds(5 * 60))
        _ = await dispatcher.failed([Fixture.failure(at: clock.now())], runID: 2, mode: "up")
        clock.advance(.seconds(5 * 60))

        #expect(await resolve(dispatcher, mode: "down").isEmpty, "a teardown does not resolve a scale-up problem")
        #expect(await resolve(dispatcher, eventID: 2).isEmpty, "nor does a scale-up for another event")

        let deliveries = await resolve(dispatcher)
        #expect(deliveries.map(\.channel) == ["email", "webhook"], "the webhook got the failure on the second run: \(deliveries)")
        #expect(deliveries.allSatisfy { $0.kind == .resolved && $0.delivered })
        let resolved = try #require(email.sent.last)
        #expect(resolved.kind == .resolved)
        #expect(resolved.title.hasPrefix("Gala ñandú 2026-11-23 21:00 +01:00: resolved: frontal create passes again (failed in 2 runs since 20:22), 28 min before start"), "\(resolved.title)")
        #expect(resolved.text.contains("Was: Gala ñandú 2026-11-23 21:00 +01:00: 1 of 3 frontal nodes could not be created"))
        #expect(resolved.text.contains("Open for 10m"))
        #expect(resolved.text.contains("Resolved by: up run #9: frontal 3/3 running"))
        #expect(try await store.alerts(limit: 20).filter { $0.alert.kind == .failure }.allSatisfy { $0.resolvedAt != nil })

        #expect(await resolve(dispatcher).isEmpty, "a problem is resolved once")
        let fresh = await dispatcher.failed([Fixture.failure(at: clock.now())], runID: 3, mode: "up")
        #expect(fresh.allSatisfy { $0.delivered }, "once resolved, the same failure is news again")
    }

    @Test func successSummariesOnlyWhenAsked() async throws {
        let success = Alert.success(
            command: "up", mode: "up", fleet: "t", event: Fixture.event, created: 5, deleted: 0, duration: .seconds(4),
            summary: "frontal 3/3 running", zone: Fixture.zone, now: clock.now())
        #expect(await resolve(dispatcher(), success: success).isEmpty)
        let sent = await resolve(dispatcher(notifySuccess: true), success: success)
        #expect(sent.map(\.channel) == ["email", "webhook"] && sent.allSatisfy { $0.kind == .success && $0.delivered })
        #expect(email.sent.last?.title == "Gala ñandú 2026-11-23 21:00 +01:00: scaled up: created 5 nodes in 4.0s, 38 min before start")
    }
}
