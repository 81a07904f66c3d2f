/// A configuration problem: which file, which key, which line, and what is wrong.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var key: String?
    public var line: Int?
    public var problem: String

    public init(file: String, key: String? = nil, line: Int? = nil, problem: String) {
        self.file = file
        self.key = key
        self.line = line
        self.problem = problem
    }

    /// `scalectl.toml:12: roles.frontal.count: must be a whole number of 0 or more, not "five"`
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)" }
        return text + ": " + problem
    }
}
