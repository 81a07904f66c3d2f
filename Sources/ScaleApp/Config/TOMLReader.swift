import Foundation
import ScaleCore
import TOMLKit

/// One TOML document: its file name, parsed table and line index.
struct TOMLSource {
    let file: String
    let table: TOMLTable
    let lines: SourceLines

    /// Parses `text`; syntax errors carry the parser's line.
    init(file: String, text: String) throws {
        self.file = file
        try TOMLGuard.check(text, file: file)
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, line: error.source.begin.line, problem: "not valid TOML: \(error.description)")
        }
        lines = SourceLines(text)
    }
}

/// Reads one table strictly: typed getters that name the key on error, and ``finish()`` refusing keys
/// nobody read. Layers let a table be read over a profile file (`[provider] profile = ...`): the first
/// layer holding a key wins.
final class TOMLReader {
    private struct Layer {
        let source: TOMLSource
        let table: TOMLTable
        /// The key path as messages show it (`provider.boot_time`).
        let path: [String]
        /// The key path inside this layer's file (a profile's keys sit at its top level).
        let sourcePath: [String]
    }

    private let layers: [Layer]
    private var used: Set<String> = []

    init(_ source: TOMLSource) {
        layers = [Layer(source: source, table: source.table, path: [], sourcePath: [])]
    }

    private init(layers: [Layer]) { self.layers = layers }

    /// Adds a lower layer read under this one: `source`'s table at `sourcePath` (its top level when empty).
    func over(_ source: TOMLSource, at sourcePath: [String] = []) throws -> TOMLReader {
        var table = source.table
        for key in sourcePath {
            guard let inner = table[key]?.table else {
                throw ConfigError(file: source.file, key: key, line: source.lines.line(of: [key]), problem: "must be a table")
            }
            table = inner
        }
        let reader = TOMLReader(layers: layers + [Layer(source: source, table: table, path: layers[0].path, sourcePath: sourcePath)])
        reader.used = used
        return reader
    }

    var path: String { layers[0].path.joined(separator: ".") }

    var keys: [String] {
        var seen: [String] = []
        for layer in layers { for key in layer.table.keys where !seen.contains(key) { seen.append(key) } }
        return seen
    }

    /// The line `key` is written on, in the layer that holds it.
    func line(_ key: String) -> Int? {
        guard let layer = layers.first(where: { $0.table.contains(key: key) }) else { return nil }
        return layer.source.lines.line(of: layer.sourcePath + [key])
    }

    func has(_ key: String) -> Bool { layers.contains { $0.table.contains(key: key) } }

    /// An error about `key` (or the table itself), located in the layer that holds it. An error about a
    /// key that is absent (a required key missing) names a near-miss key of the table instead, when there
    /// is one: the typo is the problem, on its own line.
    func error(_ key: String?, _ problem: String) -> ConfigError {
        if let key, !has(key),
           let typo = KeySuggestion.nearest(to: key, among: keys.filter { !used.contains($0) }).flatMap({ typo in
               KeySuggestion.nearest(to: typo, among: used.union([key])) == key ? typo : nil
           })
        {
            return unknown(typo, suggestion: key)
        }
        let layer = key.flatMap { key in layers.first { $0.table.contains(key: key) } } ?? layers[0]
        let tail = key.map { [$0] } ?? []
        let full = layer.path + tail
        return ConfigError(
            file: layer.source.file, key: full.isEmpty ? nil : full.joined(separator: "."),
            line: layer.source.lines.line(of: layer.sourcePath + tail), problem: problem)
    }

    private func value(_ key: String) -> (any TOMLValueConvertible)? {
        used.insert(key)
        for layer in layers { if let value = layer.table[key] { return value } }
        return nil
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else { throw error(key, "must be a string, not \(describe(value))") }
        return string
    }

    func requiredString(_ key: String) throws -> String {
        guard let string = try string(key) else { throw error(key, "is required") }
        return string
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.int else { throw error(key, "must be a whole number, not \(describe(value))") }
        guard range.contains(int) else {
            throw error(key, "must be between \(range.lowerBound) and \(range.upperBound), not \(int)")
        }
        return int
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.bool else { throw error(key, "must be true or false, not \(describe(value))") }
        return bool
    }

    /// A number, whole or with decimals (`0.0832`, `1`).
    func number(_ key: String) throws -> Double? {
        guard let value = value(key) else { return nil }
        if let double = value.double { return double }
        guard let int = value.int else { throw error(key, "must be a number, not \(describe(value))") }
        return Double(int)
    }

    func duration(_ key: String) throws -> Duration? {
        guard let text = try string(key) else { return nil }
        guard let duration = DurationText.parse(text) else {
            throw error(key, "\"\(text)\" is not a duration: write it like 45m, 2h30m, 90s or 500ms")
        }
        return duration
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw error(key, "must be a list of strings, not \(describe(value))") }
        return try array.map { item in
            guard let string = item.string else { throw error(key, "must be a list of strings, not a list holding \(describe(item))") }
            return string
        }
    }

    func ints(_ key: String, in range: ClosedRange<Int>) throws -> [Int]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw error(key, "must be a list of whole numbers, not \(describe(value))") }
        return try array.map { item in
            guard let int = item.int, range.contains(int) else {
                throw error(key, "must be a list of whole numbers between \(range.lowerBound) and \(range.upperBound), not a list holding \(describe(item))")
            }
            return int
        }
    }

    /// A sub-table (`[roles.frontal]` or an inline `{ ... }`), read with the same layers.
    func table(_ key: String) throws -> TOMLReader? {
        var found: [Layer] = []
        used.insert(key)
        for layer in layers {
            guard let value = layer.table[key] else { continue }
            guard let table = value.table else { throw error(key, "must be a table, not \(describe(value))") }
            found.append(Layer(source: layer.source, table: table, path: layer.path + [key], sourcePath: layer.sourcePath + [key]))
        }
        return found.isEmpty ? nil : TOMLReader(layers: found)
    }

    /// Refuses the keys nobody read, suggesting the known key nearest to each.
    func finish() throws {
        for key in keys where !used.contains(key) {
            throw unknown(key, suggestion: KeySuggestion.nearest(to: key, among: used))
        }
    }

    /// Refuses, before anything else is read, the keys outside `known` (a table whose keys are fixed).
    func only(_ known: [String]) throws {
        for key in keys where !known.contains(key) {
            throw unknown(key, suggestion: KeySuggestion.nearest(to: key, among: known))
        }
    }

    /// An unknown key on its own line, with the known key it probably meant.
    private func unknown(_ key: String, suggestion: String?) -> ConfigError {
        let layer = layers.first { $0.table.contains(key: key) } ?? layers[0]
        let full = layer.path + [key]
        let problem: String
        if let suggestion {
            let meant = (layer.path + [suggestion]).joined(separator: ".")
            problem = "unknown key: did you mean \(meant)?"
        } else if let placed = Self.misplaced[full.joined(separator: ".")] {
            problem = "unknown key: \(placed)"
        } else {
            let known = used.sorted().joined(separator: ", ")
            problem = "unknown key" + (known.isEmpty ? "" : " (known here: \(known))")
        }
        return ConfigError(
            file: layer.source.file, key: full.joined(separator: "."),
            line: layer.source.lines.line(of: layer.sourcePath + [key]), problem: problem)
    }

    /// Keys people put in the wrong table, and where they belong.
    private static let misplaced: [String: String] = [
        "prices": "prices belong to the provider: did you mean [provider.prices]?",
        "alerts.prices": "prices belong to the provider: did you mean [provider.prices]?",
        "kind": "the provider's kind belongs in [provider]: did you mean [provider] kind?",
        "profile": "the provider profile belongs in [provider]: did you mean [provider] profile?",
    ]

    private func describe(_ value: any TOMLValueConvertible) -> String {
        switch value.type {
        case .string: "the string \"\(value.string ?? "")\""
        case .int: "the number \(value.int ?? 0)"
        case .double: "the number \(value.double ?? 0)"
        case .bool: "\(value.bool ?? false)"
        case .table: "a table"
        case .array: "a list"
        default: "a date or time"
        }
    }
}
