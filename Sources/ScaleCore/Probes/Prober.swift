import Foundation

/// Something that tells whether a node is ready: the real ``Prober``, or a model of it in benchmarks.
public protocol ReadinessProbing: Sendable {
    /// One attempt; nil when ready, otherwise why not.
    func check(_ check: ReadinessCheck, node: Node, role: String) async -> String?
}

extension ReadinessProbing {
    /// Checks until ready or `deadline`; returns nil when ready, otherwise the last reason.
    public func waitUntilReady(
        _ check: ReadinessCheck, node: Node, role: String, deadline: Date, interval: Duration, clock: any ScaleClock
    ) async throws -> String? {
        while true {
            guard let problem = await self.check(check, node: node, role: role) else { return nil }
            if clock.now() + interval >= deadline { return problem }
            try await clock.sleep(for: interval)
        }
    }
}

/// Runs readiness checks against nodes: http (2xx), tcp (connects) and command (exits 0).
public struct Prober: ReadinessProbing {
    public let http: HTTPClient
    /// The most one attempt may take.
    public var attemptTimeout: Duration

    public init(http: HTTPClient, attemptTimeout: Duration = .seconds(10)) {
        self.http = http
        self.attemptTimeout = attemptTimeout
    }

    /// One attempt; nil when ready, otherwise why not.
    public func check(_ check: ReadinessCheck, node: Node, role: String) async -> String? {
        let target: String
        do {
            target = try Template.render(check.template, values: Template.values(for: node, role: role))
        } catch {
            return error.description
        }
        switch check.kind {
        case .http:
            guard let url = URL(string: target), url.scheme == "http" || url.scheme == "https" else {
                return "\"\(target)\" is not an http(s) URL"
            }
            do {
                let response = try await http.send(HTTPRequest(url: url, timeout: attemptTimeout))
                return response.isSuccess ? nil : "GET \(target) answered \(response.status)"
            } catch {
                return "GET \(target): \(error)"
            }
        case .tcp:
            let timeout = attemptTimeout
            do {
                try await onThread { try TCPConnect.check(target, timeout: timeout) }
                return nil
            } catch {
                return "\(error)"
            }
        case .command:
            do {
                let (status, output) = try await ChildProcess.run(target, timeout: attemptTimeout)
                guard status != 0 else { return nil }
                return "`\(target)` exited \(status)" + (output.isEmpty ? "" : ": \(output.split(separator: "\n").suffix(2).joined(separator: " / "))")
            } catch {
                return "`\(target)` \(error)"
            }
        }
    }

}

/// Runs blocking work (a socket poll) on a thread of its own, keeping the cooperative pool free.
func onThread(_ work: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        Thread {
            do {
                try work()
                continuation.resume()
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}
