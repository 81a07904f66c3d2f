/// Refuses TOML that toml++ (under TOMLKit 0.6.0) would abort on rather than report (found by
/// `make fuzz`): its table-header parser hands the first character after `[` to the key parser
/// unchecked, whose assertion then ends the process (`[#`, `[é`, `[` at the end of a line). TOML 1.0
/// forbids all of these, and non-ASCII or control characters outside strings and comments; here they
/// get a proper error naming the line.
enum TOMLGuard {
    static func check(_ text: String, file: String) throws {
        enum State { case normal, comment, basic, literal, multiBasic, multiLiteral }
        var state = State.normal
        var line = 1
        var atLineStart = true
        var inValue = false
        var depth = 0
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func starts(_ prefix: String, at position: Int) -> Bool {
            let wanted = Array(prefix.unicodeScalars)
            return position + wanted.count <= scalars.count && Array(scalars[position..<position + wanted.count]) == wanted
        }
        func fail(_ problem: String) -> ConfigError { ConfigError(file: file, line: line, problem: "not valid TOML: " + problem) }
        while index < scalars.count {
            let scalar = scalars[index]
            switch state {
            case .normal:
                switch scalar {
                case "\n":
                    line += 1
                    atLineStart = true
                    if depth == 0 { inValue = false }
                case " ", "\t", "\r":
                    break
                case "#":
                    state = .comment
                case "\"", "'":
                    let quote = scalar == "\"" ? "\"\"\"" : "'''"
                    if starts(quote, at: index) {
                        state = scalar == "\"" ? .multiBasic : .multiLiteral
                        index += 2
                    } else {
                        state = scalar == "\"" ? .basic : .literal
                    }
                    atLineStart = false
                case "=":
                    inValue = true
                    atLineStart = false
                case "[" where atLineStart && !inValue:
                    var next = index + 1
                    if next < scalars.count, scalars[next] == "[" { next += 1 }
                    while next < scalars.count, scalars[next] == " " || scalars[next] == "\t" { next += 1 }
                    let first = next < scalars.count ? scalars[next] : "\n"
                    guard first.isASCII, first.properties.isAlphabetic || ("0"..."9").contains(first) || "_-\"']".unicodeScalars.contains(first) else {
                        throw fail("a table header needs a name right after \"[\", such as [roles.frontal]")
                    }
                    atLineStart = false
                case "[", "{":
                    if inValue { depth += 1 }
                    atLineStart = false
                case "]", "}":
                    if inValue, depth > 0 { depth -= 1 }
                    atLineStart = false
                default:
                    if !scalar.isASCII {
                        throw fail("the character \"\(Character(scalar))\" may appear only inside a quoted string (keys are ASCII; quote a key to use other letters)")
                    }
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        throw fail("a control character (code \(scalar.value)) outside a string")
                    }
                    atLineStart = false
                }
            case .comment:
                if scalar == "\n" {
                    line += 1
                    atLineStart = true
                    if depth == 0 { inValue = false }
                    state = .normal
                }
            case .basic, .literal:
                if scalar == "\\", state == .basic {
                    index += 1
                } else if scalar == (state == .basic ? "\"" : "'") {
                    state = .normal
                } else if scalar == "\n" {
                    line += 1
                    state = .normal  // an unclosed string: toml++ reports it
                }
            case .multiBasic, .multiLiteral:
                if scalar == "\n" { line += 1 }
                if scalar == "\\", state == .multiBasic {
                    index += 1
                } else if starts(state == .multiBasic ? "\"\"\"" : "'''", at: index) {
                    state = .normal
                    index += 2
                }
            }
            index += 1
        }
    }
}
