import Foundation
import Synchronization

/// A test server that binds a port of its own choosing (port 0) and prints it as its first line on
/// stdout, so no port is picked, closed and bound again later (another process could take it between).
/// Stopped with ``stop()``, which waits for the exit.
public final class PortReportingServer: Sendable {
    private let process: Process
    public let port: Int
    /// Where the server's stderr goes.
    public let log: String
    private let exited: Shared<(done: Bool, waiting: [CheckedContinuation<Void, Never>])>

    /// Starts `executable` with `arguments` and waits for the first line on stdout, a port number.
    /// - Throws: when the process ends, or `timeout` passes, before it reports a port.
    public static func start(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> PortReportingServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("scalectl-server-\(UUID().uuidString.prefix(8)).log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        process.standardOutput = stdout
        let exited = Shared<(done: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))
        process.terminationHandler = { _ in
            let waiting = exited.value.withLock { state in
                state.done = true
                defer { state.waiting = [] }
                return state.waiting
            }
            waiting.forEach { $0.resume() }
        }

        // The first line, or nil at end of file; everything after it is read and dropped so the server
        // never blocks on a full pipe.
        let firstLine = Shared<(text: String, reported: Bool, continuation: CheckedContinuation<String?, Never>?)>(("", false, nil))
        @Sendable func report(_ line: String?) {
            let waiting = firstLine.value.withLock { state -> CheckedContinuation<String?, Never>? in
                guard !state.reported else { return nil }
                state.reported = true
                defer { state.continuation = nil }
                return state.continuation
            }
            waiting?.resume(returning: line)
        }
        let line: String? = await withCheckedContinuation { continuation in
            firstLine.value.withLock { $0.continuation = continuation }
            do {
                try process.run()
            } catch {
                report(nil)
                return
            }
            PipeDrain.start(stdout, chunk: { data in
                let text = firstLine.value.withLock { state -> String? in
                    guard !state.reported else { return nil }
                    state.text += String(decoding: data, as: UTF8.self)
                    return state.text.contains("\n") ? String(state.text.prefix { $0 != "\n" }) : nil
                }
                if let text { report(text) }
            }, end: { report(nil) })
            // Bounds the wait: a server that never reports is killed, which ends its stdout.
            Task { [process] in
                try? await Task.sleep(for: timeout)
                if firstLine.value.withLock({ !$0.reported }), process.isRunning { process.terminate() }
            }
        }
        let server = PortReportingServer(process: process, port: line.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0, log: log, exited: exited)
        guard server.port > 0 else {
            await server.stop()
            let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw CLIError(description: "\(executable) \(arguments.joined(separator: " ")) reported no port (first line: \(line ?? "none")); it said:\n\(said)")
        }
        return server
    }

    private init(process: Process, port: Int, log: String, exited: Shared<(done: Bool, waiting: [CheckedContinuation<Void, Never>])>) {
        self.process = process
        self.port = port
        self.log = log
        self.exited = exited
    }

    /// A fake from `Tests/Fakes` (run by the test Python) on a port it binds itself: `--port 0`.
    public static func fake(_ script: String, _ arguments: [String]) async throws -> PortReportingServer {
        try await start(TestTools.python, ["\(TestTools.repositoryRoot)/Tests/Fakes/\(script)", "--port", "0"] + arguments)
    }

    /// Sends SIGTERM (SIGKILL after `grace`) and waits until the process has exited.
    public func stop(grace: Duration = .seconds(5)) async {
        guard process.processIdentifier > 0 else { return }
        if process.isRunning { process.terminate() }
        let killer = Task { [process] in
            try await Task.sleep(for: grace)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        await withCheckedContinuation { continuation in
            let done = exited.value.withLock { state -> Bool in
                if !state.done { state.waiting.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
        killer.cancel()
    }
}

/// A mutex shared by reference between closures.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
}
