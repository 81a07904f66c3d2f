/// One unfolded content line, `NAME;PARAM=value:value` (RFC 5545 §3.1), with the line it starts on.
public struct ContentLine: Sendable, Equatable {
    public var line: Int
    public var name: String
    public var parameters: [String: [String]]
    public var value: String

    public func parameter(_ name: String) -> String? { parameters[name]?.first }

    /// Splits bytes into content lines: a line break followed by a space or tab continues the line,
    /// also in the middle of a UTF-8 sequence, so folds are undone on bytes before decoding.
    /// - Throws: ``CalendarError`` naming the line of text that is not UTF-8 or not `NAME:value`.
    public static func parse(_ bytes: [UInt8]) throws(CalendarError) -> [ContentLine] {
        var logical: [(line: Int, bytes: [UInt8])] = []
        var start = 0
        var number = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count {
            number += 1
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            let first = stop > start ? bytes[start] : nil
            if first == 0x20 || first == 0x09, !logical.isEmpty {
                logical[logical.count - 1].bytes += bytes[(start + 1)..<stop]
            } else if stop > start {
                logical.append((number, Array(bytes[start..<stop])))
            }
            start = end + 1
        }
        return try logical.map { entry throws(CalendarError) in
            guard let text = String(validatingUTF8Bytes: entry.bytes) else {
                throw CalendarError(line: entry.line, "the line is not UTF-8 text")
            }
            return try split(text, line: entry.line)
        }
    }

    /// `NAME;A=x;B="y:z",w:value` into its parts; parameter names are upper-cased, quotes removed.
    static func split(_ text: String, line: Int) throws(CalendarError) -> ContentLine {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func take(until stops: Set<Unicode.Scalar>) -> String {
            var result = String.UnicodeScalarView()
            var quoted = false
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "\"" { quoted.toggle(); index += 1; continue }
                if !quoted, stops.contains(scalar) { break }
                result.append(scalar)
                index += 1
            }
            return String(result)
        }
        let name = take(until: [";", ":"]).uppercased()
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0 == "-" || ("0"..."9").contains($0)) }) else {
            throw CalendarError(line: line, "\"\(text.prefix(40))\" is not a content line NAME:value")
        }
        var parameters: [String: [String]] = [:]
        while index < scalars.count, scalars[index] == ";" {
            index += 1
            let key = take(until: ["=", ":", ";"]).uppercased()
            guard index < scalars.count, scalars[index] == "=" else {
                throw CalendarError(line: line, "the parameter \"\(key)\" of \(name) has no =value")
            }
            var values: [String] = []
            repeat {
                index += 1
                values.append(take(until: [",", ";", ":"]))
            } while index < scalars.count && scalars[index] == ","
            parameters[key] = values
        }
        guard index < scalars.count, scalars[index] == ":" else {
            throw CalendarError(line: line, "the property \(name) has no \":\" before its value")
        }
        let value = String(String.UnicodeScalarView(scalars[(index + 1)...]))
        return ContentLine(line: line, name: name, parameters: parameters, value: value)
    }

    /// TEXT values (RFC 5545 §3.3.11): `\\`, `\n`, `\N`, `\,`, `\;` in one left-to-right pass.
    public static func unescape(_ text: String) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "n", "N": result.append("\n")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }
}

extension String {
    /// Strict UTF-8 decoding: nil when the bytes are not valid UTF-8.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars = String.UnicodeScalarView()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(scalars)
    }
}
