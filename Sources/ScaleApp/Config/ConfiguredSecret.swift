import Foundation
import ScaleCore

/// A secret the configuration names: never its value in the file (bar a few non-secret literals such
/// as an SMTP user name), but the environment variable or the file that holds it. Read at the edge, when
/// a command needs it.
public enum ConfiguredSecret: Sendable, Hashable {
    case literal(Secret)
    /// `key` is the configuration key that names it, for messages (`alerts.email.password_env`).
    case variable(String, key: String)
    /// An absolute path (relative ones are resolved against the configuration file when it is read).
    case file(String, key: String)

    /// The secret's value.
    /// - Throws: ``ConfigError`` naming the key and the variable or file when it is unset, missing or empty.
    public func read(configFile: String, environment: [String: String]) throws -> Secret {
        switch self {
        case .literal(let value):
            return value
        case .variable(let variable, let key):
            guard let value = environment[variable], !value.isEmpty else {
                throw ConfigError(file: configFile, key: key, problem: "the environment variable \(variable) is not set; export it (the value never goes into the file)")
            }
            return Secret(value)
        case .file(let path, let key):
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
            else {
                throw ConfigError(file: configFile, key: key, problem: "the secret file \(path) is missing, unreadable or empty")
            }
            return Secret(text)
        }
    }
}
