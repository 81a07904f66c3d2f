import Foundation
import ScaleCore
import ScaleTesting
import Testing

/// A listening socket on loopback that accepts nothing: connects succeed (the kernel's backlog),
/// requests never get an answer.
final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw CLIProblem("cannot listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

struct CLIProblem: Error { var text: String; init(_ text: String) { self.text = text } }

/// A real HTTP server (Python's) serving a directory on a free loopback port.
final class PythonHTTPServer: Sendable {
    let port: Int
    let pid: Int32
    let directory: String

    init() async throws {
        port = try SilentListener().port  // closed again before python binds it
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("www-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "ok".write(toFile: directory + "/health", atomically: true, encoding: .utf8)
        try String(repeating: "x", count: 100_000).write(toFile: directory + "/big", atomically: true, encoding: .utf8)
        pid = try ChildProcess.spawn("exec \(TestTools.python) -m http.server \(port) --bind 127.0.0.1 --directory \(directory)", log: "/dev/null")
        let deadline = ContinuousClock.now + .seconds(60)
        let prober = Prober(http: HTTPClient(), attemptTimeout: .seconds(1))
        while await prober.check(ReadinessCheck(kind: .tcp, template: "127.0.0.1:\(port)", within: .seconds(1)), node: Node(id: "0", name: "x", state: .running), role: "r") != nil {
            guard ContinuousClock.now < deadline else { throw CLIProblem("python http.server did not start") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func stop() async { await ChildProcess.terminateGroup(pid) }
}

@Suite(.awaitsCleanup)
struct ProbeTests {
    let node = Node(id: "1", name: "m-frontal-1-1", state: .running, labels: [OwnershipLabel.event: "1"], privateIP: "127.0.0.1", templateValues: ["port": "1"])
    let prober = Prober(http: HTTPClient(), attemptTimeout: .seconds(2))

    @Test func httpIsReadyOn2xxOnly() async throws {
        let server = try await PythonHTTPServer()
        atEnd { await server.stop() }
        let ok = ReadinessCheck(kind: .http, template: "http://{private_ip}:\(server.port)/health", within: .seconds(5))
        #expect(await prober.check(ok, node: node, role: "frontal") == nil)
        let missing = ReadinessCheck(kind: .http, template: "http://{private_ip}:\(server.port)/nope", within: .seconds(5))
        let problem = await prober.check(missing, node: node, role: "frontal")
        #expect(problem?.contains("answered 404") == true, "\(problem ?? "")")
        await server.stop()
    }

    @Test func tcpNeedsAListener() async throws {
        let listener = try SilentListener()
        #expect(await prober.check(ReadinessCheck(kind: .tcp, template: "{private_ip}:\(listener.port)", within: .seconds(1)), node: node, role: "r") == nil)
        let closedPort = listener.port == 1 ? 2 : 1
        let problem = await prober.check(ReadinessCheck(kind: .tcp, template: "127.0.0.1:\(closedPort)", within: .seconds(1)), node: node, role: "r")
        #expect(problem?.contains("refused") == true, "\(problem ?? "")")
    }

    @Test func commandIsReadyOnExitZero() async {
        #expect(await prober.check(ReadinessCheck(kind: .command, template: "test {name} = m-frontal-1-1", within: .seconds(1)), node: node, role: "r") == nil)
        let problem = await prober.check(ReadinessCheck(kind: .command, template: "echo no worker {name} >&2; exit 3", within: .seconds(1)), node: node, role: "r")
        #expect(problem?.contains("exited 3") == true)
        #expect(problem?.contains("no worker m-frontal-1-1") == true, "the command's output explains the failure")
    }

    @Test func commandIsKilledAtItsTimeout() async {
        let quick = Prober(http: HTTPClient(), attemptTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        let problem = await quick.check(ReadinessCheck(kind: .command, template: "sleep 30", within: .seconds(1)), node: node, role: "r")
        #expect(problem?.contains("did not finish within 300ms") == true, "\(problem ?? "")")
        #expect(ContinuousClock.now - started < .seconds(25), "killed at its timeout, not after the command's 30 s")
    }

    @Test func templatesRefuseUnknownPlaceholdersAndShellSyntax() throws {
        #expect(try Template.render("celery@{name} on {role}/{event}", values: Template.values(for: node, role: "celery")) == "celery@m-frontal-1-1 on celery/1")
        #expect(throws: Template.Failure.self) { try Template.render("{nope}", values: [:]) }
        #expect(throws: Template.Failure.self) { try Template.render("{name}", values: ["name": "x; rm -rf /"]) }
        #expect(Template.placeholders(in: "http://{private_ip}:{port}/") == ["private_ip", "port"])
    }
}

@Suite(.awaitsCleanup)
struct HTTPClientTests {
    @Test func timesOutWhenNoAnswerComes() async throws {
        let listener = try SilentListener()
        let client = HTTPClient()
        await #expect {
            _ = try await client.send(HTTPRequest(url: URL(string: "http://127.0.0.1:\(listener.port)/")!, timeout: .milliseconds(500)))
        } throws: { error in
            (error as? HTTPError)?.code == "timeout"
        }
    }

    @Test func refusesAnswersOverTheSizeCap() async throws {
        let server = try await PythonHTTPServer()
        let small = HTTPClient(maxResponseBytes: 10_000)
        await #expect {
            _ = try await small.send(HTTPRequest(url: URL(string: "http://127.0.0.1:\(server.port)/big")!))
        } throws: { error in
            (error as? HTTPError)?.code == "response_too_large"
        }
        let response = try await HTTPClient().send(HTTPRequest(url: URL(string: "http://127.0.0.1:\(server.port)/big")!))
        #expect(response.body.count == 100_000)
        await server.stop()
    }

    @Test func messagesNeverShowThePathOrQuery() {
        let request = HTTPRequest(url: URL(string: "https://hooks.example.org/services/T000/SECRET?token=abc")!)
        #expect(request.target == "https://hooks.example.org")
    }
}
