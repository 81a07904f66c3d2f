import Foundation
import ScaleCore

/// `[calendar]`: subscribed iCalendar feeds that `reconcile`, the daemon and `calendar sync` follow.
public struct CalendarSettings: Sendable, Hashable {
    public var sources: [FeedSource] = []
    /// Sync a feed at most this often from `reconcile` and the daemon.
    public var syncInterval: Duration = .seconds(15 * 60)
    /// A sync that would remove more events than this removes none and alerts.
    public var maxRemovals = 3
    /// How far ahead a feed's recurring events are expanded.
    public var horizon: Duration = .seconds(90 * 86_400)
}

/// One feed as the configuration writes it. A secret part of the address (the private token of a Google
/// address) is written `${VARIABLE}` or `${file:/path}` and read only when fetching: the source's
/// name, shown, logged, stored and alerted, is the text as written, with the placeholder.
public struct FeedSource: Sendable, Hashable {
    public let name: String
    /// For `file:` sources: the absolute path (relative ones are resolved against the configuration file).
    let path: String?

    /// - Throws: a sentence saying what is wrong with the address.
    init(_ text: String, resolve: (String) -> String) throws(InputError) {
        name = text
        let lower = text.lowercased()
        if lower.hasPrefix("file:") {
            var rest = String(text.dropFirst(5))
            if rest.hasPrefix("//") { rest = String(rest.dropFirst(2)) }
            guard !rest.isEmpty, !rest.contains("${") else { throw InputError("\"\(text)\" names no file (file:/path/to/calendar.ics)") }
            path = resolve(rest)
            return
        }
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else {
            throw InputError("\"\(Self.masked(text))\" is neither an http(s):// nor a file: address")
        }
        let withoutSecrets = Self.placeholders(in: text).reduce(text) { $0.replacingOccurrences(of: "${\($1)}", with: "x") }
        guard let url = URL(string: withoutSecrets), url.host != nil else { throw InputError("\"\(Self.masked(text))\" is not a URL") }
        guard url.user == nil, url.password == nil else {
            throw InputError("the address holds credentials; write the secret part as ${VARIABLE} or ${file:/path}")
        }
        path = nil
    }

    /// `VARIABLE` and `file:/path` of each `${…}` in the text.
    static func placeholders(in text: String) -> [String] {
        var result: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            result.append(String(rest[open.upperBound..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return result
    }

    /// The name with nothing secret in it (placeholders are not secret; a literal query string may be).
    static func masked(_ text: String) -> String { text.count > 80 ? String(text.prefix(77)) + "..." : text }

    var isFile: Bool { path != nil }

    /// The address to fetch, with the secrets read from the environment or files.
    /// - Throws: ``InputError`` naming the variable or file (never its value) when it is unset or empty.
    func address(environment: [String: String]) throws(InputError) -> URL {
        if let path { return URL(fileURLWithPath: path) }
        var text = name
        for placeholder in Self.placeholders(in: name) {
            let value: String
            if placeholder.hasPrefix("file:") {
                let file = String(placeholder.dropFirst(5))
                guard let data = FileManager.default.contents(atPath: file),
                      let read = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !read.isEmpty
                else { throw InputError("calendar source \(name): the secret file \(file) is missing, unreadable or empty") }
                value = read
            } else {
                guard let read = environment[placeholder], !read.isEmpty else {
                    throw InputError("calendar source \(name): the environment variable \(placeholder) is not set; export it (the value never goes into the file)")
                }
                value = read
            }
            text = text.replacingOccurrences(of: "${\(placeholder)}", with: value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? value)
        }
        guard let url = URL(string: text) else { throw InputError("calendar source \(name): the address with its secret is not a URL") }
        return url
    }
}
