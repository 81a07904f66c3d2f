import Foundation
import Synchronization

/// The test-only switch that ends the process abruptly at a named step, to prove crash safety:
/// `SCALECTL_CRASH_AT=create` (the first `create` step or node create) or `create:3` (the third).
///
/// - Warning: It kills the process with SIGKILL, so one stray variable in an environment file would
///   kill every production run. It is therefore inert unless a second, explicit variable arms it
///   (`SCALECTL_CRASH_ARMED=yes`); armed, it says so on stderr before the run starts; set but not
///   armed, it says that it is ignored.
public enum CrashPoint {
    public static let variable = "SCALECTL_CRASH_AT"
    /// The second variable that must hold `armedValue` for `variable` to take effect.
    public static let armingVariable = "SCALECTL_CRASH_ARMED"
    public static let armedValue = "yes"

    /// The kill hook `SCALECTL_CRASH_AT` asks for, or nil when it is unset or not armed.
    /// `warn` receives the one-line notice about an armed or ignored switch (stderr by default).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        warn: (String) -> Void = { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
    ) -> (@Sendable (String) -> Void)? {
        guard let spec = environment[variable], !spec.isEmpty else { return nil }
        guard environment[armingVariable] == armedValue else {
            warn("""
                warning: \(variable)=\(spec) is set but ignored: this crash switch for tests only takes effect \
                with \(armingVariable)=\(armedValue) as well; remove \(variable) from this environment.
                """)
            return nil
        }
        let parts = spec.split(separator: ":", maxSplits: 1)
        let kind = String(parts[0])
        let target = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        warn("""
            WARNING: crash switch ARMED (\(variable)=\(spec), \(armingVariable)=\(armedValue)): this process \
            will kill itself with SIGKILL at the start of step \(kind) number \(target). For tests only.
            """)
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
