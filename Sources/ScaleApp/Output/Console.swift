import Foundation
import ScaleCore

/// Where commands write: lines for people on stdout (none with `--quiet` or `--json`), problems on
/// stderr always, and one JSON document on stdout with `--json`.
public final class Console: Sendable {
    public let json: Bool
    public let quiet: Bool
    public let isTerminal: Bool

    public init(json: Bool, quiet: Bool) {
        self.json = json
        self.quiet = quiet
        self.isTerminal = isatty(STDOUT_FILENO) == 1
    }

    /// Informational output, silent under `--quiet` and `--json`.
    public func line(_ text: String) {
        guard !quiet, !json else { return }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A problem; always shown, on stderr.
    public func problem(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// The machine-readable result of a command.
    public func emit(_ value: some Encodable) {
        guard let data = try? JSONOutput.encoder.encode(value) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

enum JSONOutput {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(TimeText.iso(date))
        }
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()
}

/// Prints progress as it happens: `20:15:03 frontal: 3/5 running`.
struct ConsoleProgress: ProgressSink {
    let console: Console
    let clock: any ScaleClock
    let zone: TimeZone

    func report(_ update: ProgressUpdate) {
        let stamp = TimeText.clock(clock.now(), zone: zone, seconds: true)
        switch update {
        case .began(let role, _, let text):
            console.line("\(stamp) \(role): \(text)")
        case .counted(let role, let what, let done, let total):
            console.line("\(stamp) \(role): \(done)/\(total) \(what)")
        case .finished:
            break
        case .warning(let role, let text):
            console.problem("\(stamp) \(role): warning: \(text)")
        }
    }
}

/// Shows alerts on stderr: the channel every run has, whatever else is configured. It is not journaled:
/// every failure shows at once, and nothing else.
struct ConsoleChannel: AlertChannel {
    let console: Console
    var name: String { "stderr" }
    var target: String { "stderr" }
    var journaled: Bool { false }

    func deliver(_ alert: Alert) async throws(AlertDeliveryError) {
        console.problem(alert.text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
    }
}
