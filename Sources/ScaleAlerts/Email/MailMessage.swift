import Foundation

/// A plain-text email in UTF-8, rendered as RFC 5322 with MIME headers: the subject as RFC 2047
/// encoded-words when it is not short ASCII, the body quoted-printable, lines ending in CRLF.
///
/// Dot-stuffing (a line starting with ".") is not done here: libcurl does it while sending.
public struct MailMessage: Sendable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var body: String
    public var date: Date
    /// Without angle brackets: `8c1e...@example.org`.
    public var messageID: String
    /// Extra headers, in order, ASCII only (`Auto-Submitted`, `X-Scalectl-Kind`).
    public var extraHeaders: [(String, String)]

    public init(
        from: String, to: [String], subject: String, body: String, date: Date, messageID: String? = nil,
        extraHeaders: [(String, String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        self.messageID = messageID ?? "\(UUID().uuidString.lowercased())@\(domain)"
        self.extraHeaders = extraHeaders
    }

    /// The message as sent after DATA.
    public var rendered: Data {
        var lines = [
            "Date: \(MIME.date(date))",
            "From: \(from)",
            "To: \(MIME.addressList(to, headerLength: "To: ".count))",
            "Subject: \(MIME.encodedWords(subject, headerLength: "Subject: ".count))",
            "Message-ID: <\(messageID)>",
        ]
        lines += extraHeaders.map { "\($0.0): \($0.1)" }
        lines += [
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            MIME.quotedPrintable(body),
        ]
        let text = lines.joined(separator: "\r\n")
        return Data((text.hasSuffix("\r\n") ? text : text + "\r\n").utf8)
    }
}

/// The encodings a mail header and body need.
enum MIME {
    /// `Mon, 23 Nov 2026 19:30:00 +0000` (RFC 5322 date-time, in UTC).
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(
            format: "%@, %02d %@ %04d %02d:%02d:%02d +0000", days[(c.weekday ?? 1) - 1], c.day ?? 1,
            months[(c.month ?? 1) - 1], c.year ?? 1970, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// Addresses separated by commas, one per continuation line when they do not fit on one.
    static func addressList(_ addresses: [String], headerLength: Int) -> String {
        let line = addresses.joined(separator: ", ")
        return headerLength + line.utf8.count <= 78 ? line : addresses.joined(separator: ",\r\n ")
    }

    /// The text as is when it is printable ASCII and fits the line; otherwise RFC 2047 `=?UTF-8?B?...?=`
    /// words of at most 75 characters, split between characters, on lines of at most 76.
    static func encodedWords(_ text: String, headerLength: Int) -> String {
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        if printable, headerLength + text.utf8.count <= 78, !text.contains("=?") { return text }
        // Base64 turns 3 bytes into 4 characters, and "=?UTF-8?B?" with "?=" adds 12: 45 bytes make a
        // word of 72 on a continuation line (after one space); the first line also holds the header name.
        var capacity = max(3, (75 - headerLength - 12) / 4 * 3)
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8.filter { $0 != 0x0d && $0 != 0x0a })
            if chunk.count + bytes.count > capacity, !chunk.isEmpty {
                capacity = 45
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String { "=?UTF-8?B?\(Data(bytes).base64EncodedString())?=" }

    /// Quoted-printable (RFC 2045): lines of at most 76 characters, soft breaks as `=`, trailing
    /// blanks and every byte outside printable ASCII as `=XX`; line breaks become CRLF.
    static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let bytes = Array(line.utf8)
            var output: [String] = []
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let literal = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !last)
                let piece = literal ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
                // Leave room for the soft break "=" unless this is the line's last piece.
                if current.count + piece.count > (last ? 76 : 75) {
                    output.append(current + "=")
                    current = ""
                }
                current += piece
            }
            output.append(current)
            return output.joined(separator: "\r\n")
        }.joined(separator: "\r\n")
    }
}
