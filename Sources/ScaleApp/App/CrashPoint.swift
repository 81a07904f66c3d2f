import Foundation
import Synchronization

/// The test-only switch that ends the process abruptly at a named step, to prove crash safety:
/// `SCALECTL_CRASH_AT=create` (the first `create` step or node create) or `create:3` (the third).
public enum CrashPoint {
    public static let variable = "SCALECTL_CRASH_AT"

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> (@Sendable (String) -> Void)? {
        guard let spec = environment[variable], !spec.isEmpty else { return nil }
        let parts = spec.split(separator: ":", maxSplits: 1)
        let kind = String(parts[0])
        let target = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        let seen = Mutex(0)
        return { reached in
            guard reached == kind else { return }
            let count = seen.withLock { value -> Int in
                value += 1
                return value
            }
            guard count == target else { return }
            FileHandle.standardError.write(Data("crash point \(kind):\(count) reached; killing the process\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }
}
