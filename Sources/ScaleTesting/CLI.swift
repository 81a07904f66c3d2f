import Foundation
import Synchronization

/// The outcome of one `scalectl` invocation.
public struct CLIResult: Sendable, CustomStringConvertible {
    /// The exit status, or the signal number when a signal ended the process.
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// The signal that ended the process, if one did.
    public var signal: Int32? = nil

    public var description: String { "\(signal.map { "killed by signal \($0)" } ?? "exit \(status)")\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }

    /// stdout parsed as a JSON object.
    public func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw CLIError(description: "stdout is not a JSON object: \(stdout)")
        }
        return object
    }
}

public struct CLIError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs the real `scalectl` executable built next to the test bundle.
public enum CLI {
    /// The built executable: `$SCALECTL_BIN`, or `scalectl` beside the test binary.
    public static var executable: String {
        if let path = TestTools.environment["SCALECTL_BIN"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("scalectl").path
    }

    /// Runs to completion (killed after `timeout`).
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(120)
    ) async throws -> CLIResult {
        let process = try CLIProcess.start(arguments, environment: environment)
        return try await process.finish(timeout: timeout)
    }
}

/// A running `scalectl` whose output can be awaited line by line.
public final class CLIProcess: Sendable {
    private let process: Process
    private let output = Mutex<(stdout: String, stderr: String)>(("", ""))
    /// How many of the three ends (stdout, stderr, the exit) are still to come, and who waits for them
    /// (nil once they all came).
    private let done = Mutex<(pending: Int, waiting: [CheckedContinuation<Void, Never>]?)>((3, []))

    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = arguments
        process.environment = TestTools.environment.merging(environment) { $1 }
        let handle = CLIProcess(process)
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        // The output is complete when both pipes reached their end and the process exited.
        process.terminationHandler = { _ in handle.arrive() }
        try process.run()
        PipeDrain.start(stdout, chunk: { data in handle.output.withLock { $0.stdout += String(decoding: data, as: UTF8.self) } }, end: handle.arrive)
        PipeDrain.start(stderr, chunk: { data in handle.output.withLock { $0.stderr += String(decoding: data, as: UTF8.self) } }, end: handle.arrive)
        return handle
    }

    /// One of the three ends (stdout, stderr, the exit); after the last, `finish` returns.
    private func arrive() {
        let waiting = done.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.pending -= 1
            guard state.pending == 0 else { return [] }
            defer { state.waiting = nil }
            return state.waiting ?? []
        }
        waiting.forEach { $0.resume() }
    }

    private init(_ process: Process) { self.process = process }

    public var pid: Int32 { process.processIdentifier }
    public var stdout: String { output.withLock { $0.stdout } }
    public var stderr: String { output.withLock { $0.stderr } }

    /// Waits until stdout holds `text`, failing after `timeout` or if the process ends first.
    public func waitForOutput(_ text: String, timeout: Duration = .seconds(60)) async throws {
        try await wait(for: text, in: "stdout", \.stdout, timeout: timeout)
    }

    /// Waits until stderr holds `text`, failing after `timeout` or if the process ends first.
    public func waitForError(_ text: String, timeout: Duration = .seconds(60)) async throws {
        try await wait(for: text, in: "stderr", \.stderr, timeout: timeout)
    }

    private func wait(for text: String, in name: String, _ stream: KeyPath<CLIProcess, String>, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !self[keyPath: stream].contains(text) {
            guard process.isRunning else {
                throw CLIError(description: "scalectl ended before printing \"\(text)\"; \(name):\n\(self[keyPath: stream])")
            }
            guard ContinuousClock.now < deadline else {
                throw CLIError(description: "no \"\(text)\" within \(timeout); \(name):\n\(self[keyPath: stream])")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The port a daemon started on `HOST:0` got: waits for its "metrics on http://HOST:PORT/" line.
    public func servingPort(timeout: Duration = .seconds(60)) async throws -> Int {
        try await waitForOutput("the page on http://", timeout: timeout)
        let line = stdout.split(separator: "\n").first { $0.contains("daemon: metrics on http://") } ?? ""
        let address = line.split(separator: "http://").dropFirst().first?.split(separator: "/").first ?? ""
        guard let port = address.split(separator: ":").last.flatMap({ Int($0) }), port > 0 else {
            throw CLIError(description: "no port in the daemon's line \"\(line)\"")
        }
        return port
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// SIGKILL unless it has ended: for a test's cleanup, so a failed test leaves no daemon behind.
    public func killIfRunning() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for the exit (killing the process after `timeout`) and returns what it printed.
    public func finish(timeout: Duration = .seconds(120)) async throws -> CLIResult {
        let killer = Task { [process] in
            try await Task.sleep(for: timeout)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        await withCheckedContinuation { continuation in
            let alreadyDone = done.withLock { state -> Bool in
                guard state.waiting != nil else { return true }
                state.waiting?.append(continuation)
                return false
            }
            if alreadyDone { continuation.resume() }
        }
        killer.cancel()
        let (out, err) = output.withLock { ($0.stdout, $0.stderr) }
        let signal = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return CLIResult(status: process.terminationStatus, stdout: out, stderr: err, signal: signal)
    }
}
