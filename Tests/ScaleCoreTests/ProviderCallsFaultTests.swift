import Foundation
import ScaleCore
import ScaleTesting
import Synchronization
import Testing

/// How ``ProviderCalls`` counts and repeats requests under faults (issue 17, points 1, 4 and 11).
struct ProviderCallsFaultTests {
    static func error(_ code: String, status: Int?, retry: ProviderError.Retry = .yes(after: nil)) -> ProviderError {
        ProviderError(provider: "test", operation: "op", status: status, code: code, message: "the provider said no", retry: retry)
    }

    /// Answers each request from a queue shared by every caller, counting what was sent.
    final class Provider: Sendable {
        let answers: Mutex<[ProviderError?]>
        let sent = Mutex(0)
        init(_ answers: [ProviderError?]) { self.answers = Mutex(answers) }
        func send() throws {
            sent.withLock { $0 += 1 }
            if let failure = answers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
        }
    }

    /// 11: five parallel terminates throttled three times each used to open a breaker of threshold 3,
    /// and the verification listing after them was refused. Throttles do not count toward it, and they
    /// slow every request of the run down together.
    @Test func throttlesNeverOpenTheBreakerAndSlowTheRunDown() async throws {
        let clock = RecordingClock()
        let calls = ProviderCalls(
            provider: "aws", policy: .init(maxAttempts: 5, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1), breakerThreshold: 3),
            clock: clock, logger: TestTools.quietLogger)
        let providers = (0..<5).map { _ in Provider(Array(repeating: Self.error("RequestLimitExceeded", status: 503), count: 3)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, provider) in providers.enumerated() {
                group.addTask {
                    try await calls.call("delete", "delete n-\(index)") {
                        try await ProviderCalls.request("ec2:TerminateInstances", "delete n-\(index)", effect: .idempotent) { try provider.send() }
                    }
                }
            }
            try await group.waitForAll()
        }
        let listing = Provider([])
        _ = try await calls.call("list", "list nodes") {
            try await ProviderCalls.request("ec2:DescribeInstances", "list nodes", effect: .read) { try listing.send() }
        }
        #expect(providers.map { $0.sent.withLock { $0 } } == [4, 4, 4, 4, 4], "three throttled, then done")
        #expect(await calls.throttled == 15)
        #expect(await calls.pacedFor > .zero, "the adaptive rate made requests wait")
    }

    /// 1: a request that fails is counted once, whatever the number of operations waiting on it; only
    /// consecutive failures the provider answered count, and the breaker quotes the last one once.
    @Test func theBreakerCountsRequestsAndQuotesTheLastErrorOnce() async throws {
        let calls = ProviderCalls(
            provider: "hetzner", policy: .init(maxAttempts: 2, baseDelay: .zero, maxDelay: .zero, breakerThreshold: 4),
            clock: RecordingClock(), logger: TestTools.quietLogger)
        let provider = Provider(Array(repeating: Self.error("server_error", status: 500), count: 10))
        for index in 0..<2 {
            _ = try? await calls.call("list", "list \(index)") {
                try await ProviderCalls.request("GET /servers", "list \(index)", effect: .read) { try provider.send() }
            }
        }
        let refused = await #expect(throws: ProviderError.self) {
            try await calls.call("list", "list again") {
                try await ProviderCalls.request("GET /servers", "list again", effect: .read) { try provider.send() }
            }
        }
        #expect(provider.sent.withLock { $0 } == 4, "two requests of two attempts, then the breaker")
        #expect(refused?.code == "circuit_open")
        let message = refused?.message ?? ""
        #expect(message.contains("after 4 consecutive failed calls"), "\(message)")
        #expect(message.components(separatedBy: "server_error").count == 2, "the last error once: \(message)")
    }

    /// 4: a mutation is sent again when the provider refused it (an error answer), never when its
    /// answer was lost; a read is sent again either way.
    @Test(arguments: [
        (ProviderCalls.Effect.mutation, "unreachable", nil as Int?, 1),
        (.mutation, "timeout", 504, 1),
        (.mutation, "unavailable", 503, 2),
        (.read, "unreachable", nil, 2),
    ])
    func mutationsAreSentAgainOnlyWhenRefused(effect: ProviderCalls.Effect, code: String, status: Int?, sends: Int) async throws {
        let calls = ProviderCalls(provider: "test", policy: .init(baseDelay: .zero, maxDelay: .zero), clock: RecordingClock(), logger: TestTools.quietLogger)
        let provider = Provider([Self.error(code, status: status)])
        let outcome = await Result(catching: {
            try await calls.call("shutdown", "shut down n-1") {
                try await ProviderCalls.request("POST /servers/{id}/actions/shutdown", "shut down n-1", effect: effect) { try provider.send() }
            }
        })
        #expect(provider.sent.withLock { $0 } == sends)
        if sends == 1 {
            guard case .failure(let error as ProviderError) = outcome else { Issue.record("expected the lost answer to surface"); return }
            #expect(error.settled && error.outcomeUnknown, "surfaced for the provider to look, not repeated by the operation")
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
