import CSpawn
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs shell commands in a process group of their own, so a timeout ends the whole tree.
public enum ChildProcess {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The environment children inherit, read once (the process never changes its own): Foundation reads
    /// `environ` afresh at each `ProcessInfo.environment`, and such reads from many threads at once are
    /// not safe.
    private static let inherited = ProcessInfo.processInfo.environment

    /// Starts `/bin/sh -c command` in a new session with stdin from /dev/null and output appended to `log`.
    /// Returns the pid, which is also the process group id.
    public static func spawn(_ command: String, log: String, environment: [String: String]? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours (database files, sockets) may leak into a child that outlives us.
        cspawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The calling thread may block signals (Swift's worker threads do); the child must start clean,
        // or it would never see the SIGTERM that stops it.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let env = (environment ?? inherited).map { "\($0.key)=\($0.value)" }
        let argv: [String] = ["/bin/sh", "-c", command]
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgs in
            withCStrings(env) { cEnv in posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArgs, cEnv) }
        }
        guard status == 0 else { throw Failure(description: "could not start /bin/sh: \(String(cString: strerror(status)))") }
        return pid
    }

    /// Waits for `pid` to exit on a thread of its own; returns its exit status (128 + signal when killed).
    /// `beforeReaping` runs once it has exited but while its pid (and so its group id) is still taken, so
    /// signalling the group there can reach no process that reused the pid.
    public static func wait(_ pid: pid_t, beforeReaping: @escaping @Sendable () -> Void = {}) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
                beforeReaping()
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                continuation.resume(returning: code)
            }
            thread.start()
        }
    }

    /// Reaps `pid` in the background once it exits, so a long-running parent keeps no zombie.
    public static func reapInBackground(_ pid: pid_t) {
        Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }.start()
    }

    /// Ends a process group: SIGTERM, then SIGKILL after `grace` if it is still there.
    public static func terminateGroup(_ pgid: pid_t, grace: Duration = .seconds(2)) async {
        guard pgid > 1 else { return }
        kill(-pgid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if kill(-pgid, 0) != 0 || !isAlive(pgid) { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(-pgid, SIGKILL)
    }

    /// Ends the process group `pgid` only if its leader is still the process that started at `startedAt`
    /// (clock ticks since boot, from ``startTicks(of:)``): a pid recorded long ago may belong to a
    /// stranger's process by now, and a group whose leader has gone is left alone.
    public static func terminateGroup(_ pgid: pid_t, startedAt: Int64?, grace: Duration = .seconds(2)) async {
        guard let startedAt, let actual = startTicks(of: pgid), actual == UInt64(startedAt), isAlive(pgid) else { return }
        await terminateGroup(pgid, grace: grace)
    }

    /// Runs `command` to completion or until `timeout`, returning its exit status and the tail of its output.
    public static func run(_ command: String, timeout: Duration) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("scalectl-\(UUID().uuidString).out").path
        defer { unlink(log) }
        let pid = try spawn(command, log: log)
        // The group is signalled only while its leader is unreaped, so never a process that reused the pid.
        let group = GroupState()
        let killer = Task {
            try await Task.sleep(for: timeout)
            group.state.withLock { if !$0.reaped { $0.timedOut = true; kill(-pid, SIGKILL) } }
        }
        let status = await withTaskCancellationHandler {
            await wait(pid) {
                // Anything the command left running in its group goes with it.
                group.state.withLock { $0.reaped = true; kill(-pid, SIGKILL) }
            }
        } onCancel: {
            group.state.withLock { if !$0.reaped { kill(-pid, SIGKILL) } }
        }
        killer.cancel()
        let timedOut = group.state.withLock { $0.timedOut }
        let data = FileManager.default.contents(atPath: log) ?? Data()
        let tail = String(decoding: data.suffix(600), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if timedOut {
            throw Failure(description: "did not finish within \(DurationText.format(timeout))")
        }
        try Task.checkCancellation()
        return (status, tail)
    }

    /// Whether a process with this pid exists (and is not a zombie of ours).
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")")
        {
            let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
            return state != "Z" && state != "X"
        }
        return true
    }

    /// The start time of a process in clock ticks since boot, from /proc; guards against pid reuse.
    public static func startTicks(of pid: pid_t) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields after the command name start at field 3 (state); starttime is field 22.
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }

    private final class GroupState: Sendable {
        let state = Mutex((timedOut: false, reaped: false))
    }

    private static let spawnSetSID: Int32 = 0x80  // POSIX_SPAWN_SETSID in glibc

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
