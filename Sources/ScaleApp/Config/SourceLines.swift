import Foundation

/// Finds the line of a key in TOML source text, for messages: TOMLKit reports positions only for
/// syntax errors. Handles table headers, dotted keys and inline tables on one line.
struct SourceLines {
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var table: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("[") {
                let inner = line.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: "]").first ?? ""
                table = SourceLines.keyPath(String(inner))
                // `[role.web]` also locates `role`, the table it implies.
                for length in 1...max(1, table.count) { record(Array(table.prefix(length)), number) }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = table + SourceLines.keyPath(String(line[..<equals]))
            record(key, number)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("{") { recordInline(value, under: key, line: number) }
        }
    }

    func line(of path: [String]) -> Int? {
        var path = path
        while !path.isEmpty {
            if let line = lines[path.joined(separator: ".")] { return line }
            path.removeLast()
        }
        return nil
    }

    private mutating func record(_ path: [String], _ line: Int) {
        let key = path.joined(separator: ".")
        if lines[key] == nil { lines[key] = line }
    }

    private mutating func recordInline(_ value: String, under key: [String], line: Int) {
        var depth = 0
        var token = ""
        var inString = false
        for character in value {
            if character == "\"" { inString.toggle() }
            if inString { token.append(character); continue }
            switch character {
            case "{": depth += 1; token = ""
            case "}": depth -= 1; token = ""
            case ",": token = ""
            case "=":
                if depth == 1 { record(key + SourceLines.keyPath(token), line) }
                token = ""
            default: token.append(character)
            }
        }
    }

    static func keyPath(_ text: String) -> [String] {
        text.split(separator: ".").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'")) }
    }
}
