import Foundation
import ScaleCore

// Keys every HTTP API provider reads the same way (Hetzner, DigitalOcean).
extension ConfigLoader {
    static func positive(_ table: TOMLReader, _ key: String) throws -> Duration? {
        guard let duration = try table.duration(key) else { return nil }
        guard duration > .zero else { throw table.error(key, "must be longer than zero") }
        return duration
    }

    /// `endpoint`: an http(s) URL; plain http only to loopback (tests), or the token would travel unencrypted.
    static func apiEndpoint(_ table: TOMLReader, default example: URL) throws -> URL? {
        guard let text = try table.string("endpoint") else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty else {
            throw table.error("endpoint", "\"\(text)\" is not an http(s) URL such as \(example.absoluteString)")
        }
        guard scheme == "https" || ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
            throw table.error("endpoint", "\"\(text)\" would send the token unencrypted: use https (plain http only to 127.0.0.1, for tests)")
        }
        return url
    }

    /// `token_env = "VARIABLE"` or `token_file = "PATH"` (not both): where the API token is read.
    static func tokenSource(_ table: TOMLReader, default variable: String, resolve: (String) -> String) throws -> (variable: String, file: String?) {
        var name = variable
        if let given = try table.string("token_env") {
            guard let first = given.first, first == "_" || first.isLetter, given.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw table.error("token_env", "\"\(given)\" is not an environment variable name such as \(variable) (it names the variable; the token never goes into the file)")
            }
            name = given
        }
        guard let file = try table.string("token_file") else { return (name, nil) }
        guard !table.has("token_env") else { throw table.error("token_file", "give token_env or token_file, not both") }
        return (name, resolve(file))
    }
}
