import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// A request; `target` is what messages show of it (never the query or credentials).
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?
    /// The whole exchange at most, answer included.
    public var timeout: Duration
    /// From sending to the first byte of the answer at most (a server that took the request and went
    /// silent is given up on long before `timeout`).
    public var firstByteTimeout: Duration

    public init(
        method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: Duration = .seconds(30),
        firstByteTimeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.firstByteTimeout = min(timeout, firstByteTimeout ?? .seconds(15))
    }

    /// `https://api.hetzner.cloud`: scheme, host and port only, safe for messages.
    public var target: String { url.origin }
}

extension URL {
    /// `https://hooks.example.org`, `smtp://mail.example.org:587`: scheme, host and port only, what
    /// messages may show of a URL (its path or query can be a credential).
    public var origin: String {
        var text = "\(scheme ?? "?")://\(host ?? "?")"
        if let port { text += ":\(port)" }
        return text
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// A request that got no usable answer.
public enum HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    case timeout(target: String, after: Duration)
    case unreachable(target: String, reason: String)
    case tooLarge(target: String, limit: Int)

    /// Whether trying again may help: a timeout or an unreachable endpoint may pass; an answer over the
    /// size cap came back whole and will again (and a receiver may already have acted on the request).
    public var isPassing: Bool {
        switch self {
        case .timeout, .unreachable: true
        case .tooLarge: false
        }
    }

    public var code: String {
        switch self {
        case .timeout: "timeout"
        case .unreachable: "unreachable"
        case .tooLarge: "response_too_large"
        }
    }

    public var description: String {
        switch self {
        case .timeout(let target, let after): "no answer from \(target) within \(DurationText.format(after))"
        case .unreachable(let target, let reason): "could not reach \(target): \(reason)"
        case .tooLarge(let target, let limit): "the answer from \(target) is larger than \(limit) bytes; refused"
        }
    }
}

/// HTTP over URLSession with a timeout on every request and a cap on the response size.
public final class HTTPClient: Sendable {
    public let maxResponseBytes: Int
    /// Requests without a body, over kept-alive connections.
    private let session: URLSession
    /// Requests that may change something, each on a connection of its own (see ``send(_:)``).
    private let oneShot: URLSession
    private let delegate: Collector

    public init(maxResponseBytes: Int = 8 << 20) {
        self.maxResponseBytes = maxResponseBytes
        let delegate = Collector(limit: maxResponseBytes)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        self.delegate = delegate
        self.session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        self.oneShot = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit {
        session.finishTasksAndInvalidate()
        oneShot.finishTasksAndInvalidate()
    }

    /// Sends the request once. A request that may change something (any method but GET and HEAD, any
    /// body) goes on a new connection that closes after it: libcurl re-sends a request by itself when a
    /// reused connection dies before the answer, and FoundationNetworking cannot rewind a body for it,
    /// so the copy went out with its `Content-Length` and no body and stalled until the timeout (and a
    /// bodiless mutation was silently sent twice). On a fresh connection there is no such re-send: a
    /// lost answer surfaces at once, and whoever sends again (``ProviderCalls``, after looking when it
    /// is a mutation) sends the whole request, body included.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = request.timeout.timeInterval
        urlRequest.httpBody = request.body
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        let changes = request.body != nil || !["GET", "HEAD"].contains(request.method)
        if changes { urlRequest.setValue("close", forHTTPHeaderField: "Connection") }
        let task = (changes ? oneShot : session).dataTask(with: urlRequest)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                delegate.register(task, request: request, continuation: continuation)
                task.resume()
                watch(task, request: request)
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// Gives up on a task with no first byte within `firstByteTimeout`, or not done within `timeout`.
    private func watch(_ task: URLSessionTask, request: HTTPRequest) {
        let delegate = delegate
        let id = ObjectIdentifier(task)
        delegate.watch(id, with: Task {
            try await Task.sleep(for: request.firstByteTimeout)
            if delegate.expire(id, unless: .answered, after: request.firstByteTimeout) { task.cancel() }
            try await Task.sleep(for: request.timeout - request.firstByteTimeout)
            if delegate.expire(id, unless: .completed, after: request.timeout) { task.cancel() }
        })
    }
}

/// Collects each task's bytes and answers its continuation when the task completes.
private final class Collector: NSObject, URLSessionDataDelegate, Sendable {
    private struct Pending {
        var request: HTTPRequest
        var continuation: CheckedContinuation<HTTPResponse, any Error>
        var data = Data()
        var overLimit = false
        var answered = false
        /// Set when the watchdog gave up on the task: the wait it gave up after.
        var expired: Duration?
        var watchdog: Task<Void, any Error>?
    }

    enum Milestone { case answered, completed }

    private let limit: Int
    /// By task object: the two sessions number their tasks each from 1.
    private let pending = Mutex<[ObjectIdentifier: Pending]>([:])

    init(limit: Int) { self.limit = limit }

    func register(_ task: URLSessionTask, request: HTTPRequest, continuation: CheckedContinuation<HTTPResponse, any Error>) {
        pending.withLock { $0[ObjectIdentifier(task)] = Pending(request: request, continuation: continuation) }
    }

    func watch(_ id: ObjectIdentifier, with watchdog: Task<Void, any Error>) {
        let orphan = pending.withLock { table -> Bool in
            guard table[id] != nil else { return true }
            table[id]?.watchdog = watchdog
            return false
        }
        if orphan { watchdog.cancel() }
    }

    /// The watchdog's check: true (and the task marked timed out) when the task has not reached `milestone`.
    func expire(_ id: ObjectIdentifier, unless milestone: Milestone, after wait: Duration) -> Bool {
        pending.withLock { table in
            guard var entry = table[id], milestone == .completed || !entry.answered else { return false }
            entry.expired = wait
            table[id] = entry
            return true
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        pending.withLock { $0[ObjectIdentifier(dataTask)]?.answered = true }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let cancel = pending.withLock { table -> Bool in
            guard var entry = table[ObjectIdentifier(dataTask)] else { return false }
            if entry.data.count + data.count > limit {
                entry.overLimit = true
                table[ObjectIdentifier(dataTask)] = entry
                return true
            }
            entry.data.append(data)
            table[ObjectIdentifier(dataTask)] = entry
            return false
        }
        if cancel { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: ObjectIdentifier(task)) }) else { return }
        entry.watchdog?.cancel()
        let target = entry.request.target
        if entry.overLimit {
            entry.continuation.resume(throwing: HTTPError.tooLarge(target: target, limit: limit))
        } else if let expired = entry.expired {
            entry.continuation.resume(throwing: HTTPError.timeout(target: target, after: expired))
        } else if let error {
            let nsError = error as NSError
            if nsError.code == NSURLErrorTimedOut {
                entry.continuation.resume(throwing: HTTPError.timeout(target: target, after: entry.request.timeout))
            } else if nsError.code == NSURLErrorCancelled {
                entry.continuation.resume(throwing: CancellationError())
            } else {
                entry.continuation.resume(throwing: HTTPError.unreachable(target: target, reason: nsError.localizedDescription))
            }
        } else if let response = task.response as? HTTPURLResponse {
            var headers: [String: String] = [:]
            for (name, value) in response.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
            }
            entry.continuation.resume(returning: HTTPResponse(status: response.statusCode, headers: headers, body: entry.data))
        } else {
            entry.continuation.resume(throwing: HTTPError.unreachable(target: target, reason: "no HTTP response"))
        }
    }
}
