import Foundation

/// RFC 4180 CSV: commas, double quotes (with `""` inside), CRLF or LF, quoted fields across lines.
enum CSVReader {
    struct Record {
        /// The line the record starts on, 1-based.
        var line: Int
        var fields: [String]
    }

    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var description: String
    }

    static func records(_ text: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var afterQuote = false
        var line = 1
        var recordLine = 1
        var characters = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
        if characters.first == "\u{FEFF}" { characters.removeFirst() }
        var index = 0
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
            field = ""
        }
        while index < characters.count {
            let character = characters[index]
            index += 1
            if quoted {
                if character == "\"" {
                    if index < characters.count, characters[index] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\n":
                endRecord()
                afterQuote = false
                line += 1
                recordLine = line
            case "\"" where field.trimmingCharacters(in: .whitespaces).isEmpty && !afterQuote:
                field = ""
                quoted = true
            default:
                if afterQuote, !character.isWhitespace {
                    throw Failure(line: line, description: "text after a closing quote")
                }
                field.append(character)
            }
        }
        if quoted { throw Failure(line: recordLine, description: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
