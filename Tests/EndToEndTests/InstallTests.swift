import Crypto
import Foundation
import ScaleTesting
import Testing

/// The files as installed: the crontab's lines run by /bin/sh with a plain environment file, and
/// `make install` into temporary directories.
@Suite(.serialized)
struct InstallTests {
    static let root = TestTools.repositoryRoot

    /// Runs `line` with /bin/sh in a bare environment (cron's), waiting for it to finish without holding
    /// one of the test runner's threads.
    static func shell(_ line: String, path: String = "/usr/bin:/bin") async throws -> (status: Int32, stderr: String) {
        let directory = try TemporaryDirectory("scalectl-shell")
        defer { directory.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", line]
        process.environment = ["PATH": path, "HOME": NSTemporaryDirectory()]
        _ = FileManager.default.createFile(atPath: directory.file("err"), contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file("err")))
        process.standardOutput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let data = FileManager.default.contents(atPath: directory.file("err")) ?? Data()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The command of each schedule line of schedules/crontab (the five time fields dropped).
    static func crontabCommands() throws -> [String] {
        let text = try String(contentsOfFile: "\(root)/schedules/crontab", encoding: .utf8)
        return text.split(separator: "\n").filter { line in
            guard let first = line.first else { return false }
            return first.isNumber || first == "*" || first == "@"
        }.map { line in
            line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)[5].trimmingCharacters(in: .whitespaces)
        }
    }

    /// Each line hands the token of a plain `NAME=VALUE` file to the program it starts.
    @Test func crontabLinesExportThePlainEnvironmentFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let env = try directory.write("env", "# secrets\nHCLOUD_TOKEN=abc123\n")
        // A `scalectl` that records the token it was given.
        try FileManager.default.createDirectory(atPath: directory.file("bin"), withIntermediateDirectories: true)
        let probe = try directory.write("bin/scalectl", "#!/bin/sh\nprintf '%s' \"$HCLOUD_TOKEN\" > \(directory.file("token"))\n")
        chmod(probe, 0o755)
        let commands = try Self.crontabCommands()
        #expect(commands.count == 4, "reconcile, snapshot and two doctor lines: \(commands)")
        for command in commands {
            #expect(command.contains("/etc/scalectl/env"))
            try? FileManager.default.removeItem(atPath: directory.file("token"))
            let line = command.replacingOccurrences(of: "/etc/scalectl/env", with: env)
            let result = try await Self.shell(line, path: "\(directory.file("bin")):/usr/bin:/bin")
            #expect(result.status == 0, "\(line): \(result.stderr)")
            #expect((try? String(contentsOfFile: directory.file("token"), encoding: .utf8)) == "abc123", "\(line)")
        }
        // Why: sourcing the same file with `.` alone sets the name in the shell but does not export it.
        _ = try await Self.shell(". \(env); scalectl reconcile", path: "\(directory.file("bin")):/usr/bin:/bin")
        #expect((try? String(contentsOfFile: directory.file("token"), encoding: .utf8)) == "")
    }

    /// The reconcile line with the real scalectl: the token reaches it (it gets as far as calling the
    /// provider), where a line without the export stops at the missing variable.
    @Test func theRealScalectlGetsTheTokenFromTheCrontabLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let env = try directory.write("env", "HCLOUD_TOKEN=abc123\n")
        let config = try directory.write("scalectl.toml", """
            [controller]
            fleet = "t"
            timezone = "UTC"
            [provider]
            kind = "hetzner"
            endpoint = "http://127.0.0.1:1/v1"
            max_attempts = 1
            [roles.web]
            server_type = "cx22"
            snapshot = { labels = "role=web" }
            """)
        try FileManager.default.createDirectory(atPath: directory.file("bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.file("bin/scalectl"), withDestinationPath: CLI.executable)
        let reconcile = try #require(try Self.crontabCommands().first { $0.contains("reconcile") })
        let line = reconcile.replacingOccurrences(of: "/etc/scalectl/env", with: env)
            .replacingOccurrences(of: "/etc/scalectl/scalectl.toml", with: config)
        let path = "\(directory.file("bin")):/usr/bin:/bin"
        let exported = try await Self.shell(line, path: path)
        #expect(!exported.stderr.contains("HCLOUD_TOKEN"), "\(exported.stderr)")
        #expect(exported.stderr.contains("127.0.0.1"), "it called the provider: \(exported.stderr)")
        #expect(!exported.stderr.contains("abc123"), "the token never reaches output")
        let plain = try await Self.shell(line.replacingOccurrences(of: "set -a; ", with: "").replacingOccurrences(of: "; set +a", with: ""), path: path)
        #expect(plain.status == 2 && plain.stderr.contains("HCLOUD_TOKEN is not set"), "\(plain.stderr)")
    }

    /// Every file with its contents and modification time.
    static func snapshot(_ directory: String) throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let file = enumerator?.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(file)")
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let data = FileManager.default.contents(atPath: "\(directory)/\(file)") ?? Data()
            files[file] = "\(SHA256.hash(data: data)) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        return files
    }

    static func makeInstall(_ variables: [String]) async throws -> (status: Int32, stderr: String) {
        try await shell("cd \(root) && make -s install NO_BUILD=1 SCALECTL_BIN=\(CLI.executable) " + variables.joined(separator: " "))
    }

    /// Installed into a temporary prefix, the binary runs on the installed configuration (its database
    /// lands in the state directory); a second run overwrites nothing, an edited configuration included.
    @Test func makeInstallIntoATemporaryPrefix() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (prefix, etc, units, state) = (directory.file("usr"), directory.file("etc"), directory.file("units"), directory.file("state"))
        let first = try await Self.makeInstall(["PREFIX=\(prefix)", "SYSCONFDIR=\(etc)", "UNITDIR=\(units)", "STATEDIR=\(state)"])
        #expect(first.status == 0, "\(first.stderr)")
        for file in ["usr/bin/scalectl", "etc/scalectl/scalectl.toml", "etc/scalectl/env", "usr/share/scalectl/crontab",
                     "units/scalectl.service", "units/scalectl-reconcile.service", "units/scalectl-reconcile.timer",
                     "units/scalectl-doctor.service", "units/scalectl-doctor.timer"] {
            #expect(FileManager.default.fileExists(atPath: directory.file(file)), "\(file) installed")
        }
        #expect(FileManager.default.isExecutableFile(atPath: directory.file("usr/bin/scalectl")))
        let envMode = try FileManager.default.attributesOfItem(atPath: directory.file("etc/scalectl/env"))[.posixPermissions] as? Int
        #expect(envMode == 0o600, "the secrets file is readable by its owner only")
        let unit = try String(contentsOfFile: directory.file("units/scalectl.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=\(prefix)/bin/scalectl daemon --config \(etc)/scalectl/scalectl.toml"))
        #expect(unit.contains("ReadWritePaths=\(state)"))

        // The installed binary on the installed configuration: the database goes to the state directory.
        let list = try await Self.shell("\(prefix)/bin/scalectl calendar list --config \(etc)/scalectl/scalectl.toml")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(state)/scalectl.sqlite"))

        let edited = try String(contentsOfFile: "\(etc)/scalectl/scalectl.toml", encoding: .utf8) + "# mine\n"
        try edited.write(toFile: "\(etc)/scalectl/scalectl.toml", atomically: true, encoding: .utf8)
        let before = try Self.snapshot(directory.path)
        let second = try await Self.makeInstall(["PREFIX=\(prefix)", "SYSCONFDIR=\(etc)", "UNITDIR=\(units)", "STATEDIR=\(state)"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.snapshot(directory.path) == before, "the second run overwrote nothing")
        #expect(try String(contentsOfFile: "\(etc)/scalectl/scalectl.toml", encoding: .utf8) == edited)
    }

    /// DESTDIR stages the default layout (PREFIX /usr/local, units in PREFIX/lib/systemd/system) for a package.
    @Test func makeInstallHonoursDestdir() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await Self.makeInstall(["DESTDIR=\(directory.path)"])
        #expect(result.status == 0, "\(result.stderr)")
        for file in ["usr/local/bin/scalectl", "etc/scalectl/scalectl.toml", "usr/local/lib/systemd/system/scalectl.service", "var/lib/scalectl"] {
            #expect(FileManager.default.fileExists(atPath: directory.file(file)), "\(file) staged")
        }
        let unit = try String(contentsOfFile: directory.file("usr/local/lib/systemd/system/scalectl.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/scalectl daemon --config /etc/scalectl/scalectl.toml"), "paths as installed, not as staged")
    }
}
