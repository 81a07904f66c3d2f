import ScaleCore
import ScaleStore

/// The exit-status contract cron jobs and scripts rely on.
public enum ExitStatus: Int32, Sendable {
    /// Done, or nothing to do.
    case ok = 0
    /// A step failed; an alert was sent.
    case failed = 1
    /// Usage, configuration or input error; nothing was changed.
    case usage = 2
    /// Another run holds the lock; nothing was changed.
    case locked = 3

    /// The status for an error that ended a command.
    public static func of(_ error: any Error) -> ExitStatus {
        switch error {
        case is LockHeld, is LeaseHeld, is LeaseLost: .locked
        case is ConfigError, is InputError, is TimeTextError, is StoreError: .usage
        default: .failed
        }
    }
}

/// Bad input on the command line or in a file: names what is wrong and where. Nothing was changed.
public struct InputError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
