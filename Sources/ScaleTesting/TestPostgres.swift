import Foundation
import Synchronization
import ScaleCore
import ScalePostgres

/// A private PostgreSQL cluster for the tests of one test process, started on first use: `initdb` into a
/// temporary directory (as `nobody` when the tests run as root: PostgreSQL refuses to run as root), a free
/// loopback port, `pg_ctl start`. A watchdog shell holds the cluster: when the test process ends, however
/// it ends, the pipe it reads from closes, and it stops the cluster and removes the directory.
///
/// Each test takes its own database with ``database()``. `make test` installs Debian's `postgresql`.
public enum TestPostgres {
    /// The superuser the cluster is made with; its password is ``password``.
    public static let user = "scalectl"
    public static let password = "pg-test-\(UUID().uuidString.prefix(12))"

    /// A fresh, empty database on the shared cluster, reached over TCP with the superuser's password.
    public static func database() async throws -> PostgresLocation {
        let cluster = try await shared.value
        let name = "t_\(UUID().uuidString.prefix(13).lowercased().replacingOccurrences(of: "-", with: "_"))"
        try await cluster.psql("CREATE DATABASE \(name)")
        return PostgresLocation(user: user, host: "127.0.0.1", port: cluster.port, database: name, password: Secret(password))
    }

    /// Runs SQL as the superuser on `database` (over the cluster's socket, no password); returns psql's output.
    @discardableResult
    public static func sql(_ statement: String, database: String = "postgres") async throws -> String {
        try await shared.value.psql(statement, database: database)
    }

    /// A port on which nothing listens, for "unreachable" tests.
    public static func deadPort() -> Int { TestTools.freePort() }

    private static let shared = Task { try await Cluster.start() }

    struct Cluster: Sendable {
        let port: Int
        let socketDirectory: String
        let binaries: String

        func psql(_ statement: String, database: String = "postgres") async throws -> String {
            let command = "\(binaries)/psql -X -q -At -v ON_ERROR_STOP=1 -h \(socketDirectory) -p \(port) -U \(TestPostgres.user) -d \(database) -c \(shellQuoted(statement))"
            let (status, output) = try await ChildProcess.run(command, timeout: .seconds(60))
            guard status == 0 else { throw CLIError(description: "psql \(statement): exit \(status): \(output)") }
            return output
        }

        static func start() async throws -> Cluster {
            guard let binaries = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]
                .first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") })
            else {
                throw CLIError(description: "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `make test`, which installs Debian's postgresql")
            }
            let directory = try TemporaryDirectory("scalectl-pg")
            let port = TestTools.freePort()
            try TestPostgres.password.write(toFile: directory.file("password"), atomically: true, encoding: .utf8)
            let asRoot = getuid() == 0
            if asRoot {
                let (status, output) = try await ChildProcess.run("chown -R nobody:nogroup \(directory.path)", timeout: .seconds(30))
                guard status == 0 else { throw CLIError(description: "chown of \(directory.path) for nobody: \(output)") }
            }
            let data = directory.file("data")
            let script = """
                set -e
                \(binaries)/initdb -D \(data) -U \(TestPostgres.user) --pwfile=\(directory.file("password")) \
                  --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --no-sync --no-instructions >\(directory.file("initdb.log")) 2>&1
                \(binaries)/pg_ctl -D \(data) -l \(directory.file("server.log")) -w -t 60 \
                  -o "-p \(port) -c listen_addresses=127.0.0.1 -k \(directory.path) -c fsync=off -c max_connections=300" start >/dev/null
                echo ready
                cat >/dev/null || true
                \(binaries)/pg_ctl -D \(data) -m immediate stop >/dev/null 2>&1 || true
                rm -rf \(directory.path)
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: asRoot ? "/usr/sbin/runuser" : "/bin/sh")
            process.arguments = (asRoot ? ["-u", "nobody", "--", "/bin/sh"] : []) + ["-c", script]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            // The write end stays open for the life of the test process (and only of it: no other child
            // inherits it): its closing is the watchdog's cue.
            _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(output.fileHandleForReading.fileDescriptor, F_SETFD, FD_CLOEXEC)
            keep(input)
            keep(output)
            let said = await Task.detached { String(decoding: output.fileHandleForReading.readData(ofLength: 6), as: UTF8.self) }.value
            guard said == "ready\n" else {
                let log = [directory.file("initdb.log"), directory.file("server.log")]
                    .compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n")
                throw CLIError(description: "the test PostgreSQL cluster did not start:\n\(log)")
            }
            return Cluster(port: port, socketDirectory: directory.path, binaries: binaries)
        }

        private static func keep(_ pipe: Pipe) { kept.withLock { $0.append(pipe) } }
        private static let kept = Mutex<[Pipe]>([])
    }
}

/// `text` quoted for /bin/sh.
func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

extension TestPostgres {
    /// What a command needs to log in with `password_env = "PGTEST_PASSWORD"`.
    public static var environment: [String: String] { ["PGTEST_PASSWORD": password] }
}

extension TestFleet {
    /// Moves this fleet's state to `location` (`[controller] database`), with `controller` keys beside it
    /// (by default the password from `PGTEST_PASSWORD`; pass ``TestPostgres/environment`` to its commands).
    public func keepState(in location: PostgresLocation, controller: String = "password_env = \"PGTEST_PASSWORD\"") throws {
        let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
            of: "database = \"state/scalectl.sqlite\"", with: "database = \"\(location)\"\n\(controller)")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory.file("state"), withIntermediateDirectories: true)
    }
}
