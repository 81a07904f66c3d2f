/// Why a calendar file was refused, and on which line: every refusal names the line and a reason.
public struct CalendarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The physical line (1-based) of the property or block that is refused.
    public var line: Int
    public var reason: String

    public init(line: Int, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}
