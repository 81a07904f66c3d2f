import Foundation
import Synchronization
import Logging
import ScaleCore

/// Where the tools tests run against live: the repository, its `.venv` (made by `make test`), free ports.
public enum TestTools {
    /// The repository root, found from this source file's place.
    public static let repositoryRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The test process's environment, read once: the processes tests start inherit it. Foundation reads
    /// `environ` afresh at each `ProcessInfo.environment`, and one such read crashed (signal 11 inside the
    /// getter) among hundreds of starts from parallel tests.
    public static let environment: [String: String] = ProcessInfo.processInfo.environment

    /// The Python that runs sim nodes and test servers: the virtual environment's interpreter itself (a
    /// version manager's shim, such as pyenv's, costs a dozen processes and a third of a second per start,
    /// which hundreds of nodes starting at once turn into seconds), or the first `python3` on `PATH` before
    /// `make test` made it. Always an absolute path: `Process` runs a path, not a command name.
    public static let python: String = {
        let venv = "\(repositoryRoot)/.venv/bin/python3"
        let path = environment["PATH"]?.split(separator: ":").map { "\($0)/python3" } ?? []
        return ([venv] + path).first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"
    }()

    /// A program from the test virtual environment (`.venv/bin/NAME`), installed by `make test`.
    /// - Throws: a message saying to run `make test` when it is missing.
    public static func venv(_ name: String) throws -> String {
        let path = "\(repositoryRoot)/.venv/bin/\(name)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CLIError(description: "\(path) is missing: run `make test`, which installs the test tools into .venv (scripts/test-requirements.txt)")
        }
        return path
    }

    /// A TCP port free on 127.0.0.1 right now, and never handed out before in this process: suites run in
    /// parallel, and two servers started at once must not be told the same port.
    public static func freePort() -> Int {
        while true {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            let port = Int(UInt16(bigEndian: address.sin_port))
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
    }

    private static let handedOut = Mutex<Set<Int>>([])

    /// Waits until something accepts TCP connections on `port`, or fails after `timeout`.
    public static func waitForListener(port: Int, timeout: Duration = .seconds(30)) async throws {
        let prober = Prober(http: HTTPClient(), attemptTimeout: .milliseconds(500))
        let check = ReadinessCheck(kind: .tcp, template: "127.0.0.1:\(port)", within: timeout)
        let deadline = ContinuousClock.now + timeout
        let anyNode = Node(id: "0", name: "probe", state: .running)
        while await prober.check(check, node: anyNode, role: "test") != nil {
            guard ContinuousClock.now < deadline else { throw CLIError(description: "nothing listens on 127.0.0.1:\(port) after \(timeout)") }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// A logger that keeps quiet unless something is badly wrong.
    public static let quietLogger: Logger = {
        var logger = Logger(label: "test", factory: { SwiftLogNoOpLogHandler($0) })
        logger.logLevel = .critical
        return logger
    }()
}

/// A third-party server for tests that cannot report a port it chose (redis-server, moto_server): its
/// port is picked free, then bound by the server. The fakes of `Tests/Fakes` bind their own port
/// instead (``PortReportingServer/fake(_:_:)``). Stopped with ``stop()``.
public struct ServerProcess: Sendable {
    public let pid: Int32
    /// When `pid` started, so stopping never signals a later process that got the same pid.
    let startedAt: Int64?
    public let port: Int
    public let log: String

    /// Starts `command` (a shell command line in which `{port}` is a free port) and waits until it listens.
    public static func start(_ command: String, timeout: Duration = .seconds(60)) async throws -> ServerProcess {
        let port = TestTools.freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("scalectl-server-\(port).log").path
        let pid = try ChildProcess.spawn(command.replacingOccurrences(of: "{port}", with: String(port)), log: log)
        let startedAt = ChildProcess.startTicks(of: pid).map(Int64.init)
        ChildProcess.reapInBackground(pid)
        do {
            try await TestTools.waitForListener(port: port, timeout: timeout)
        } catch {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            await ChildProcess.terminateGroup(pid)
            throw CLIError(description: "\(error); the server said:\n\(output)")
        }
        return ServerProcess(pid: pid, startedAt: startedAt, port: port, log: log)
    }

    public func stop() async { await ChildProcess.terminateGroup(pid, startedAt: startedAt) }
}
