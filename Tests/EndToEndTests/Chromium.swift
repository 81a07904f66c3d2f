import Foundation
import ScaleCore
import ScaleTesting

/// Debian's headless Chromium (`make test` installs it): the DOM a page renders to, and screenshots.
enum Chromium {
    static let binary = "/usr/bin/chromium"
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: binary) }
    /// Runs as root here, where Chromium's sandbox cannot start.
    static let flags = "--headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars --user-data-dir="

    /// The DOM after the page loaded, serialized.
    static func dom(_ url: String, into directory: TemporaryDirectory) async throws -> String {
        let out = directory.file("dom-\(UUID().uuidString).html")
        let (status, output) = try await ChildProcess.run(
            "\(binary) \(flags)\(directory.file("profile")) --dump-dom '\(url)' > '\(out)' 2>/dev/null", timeout: .seconds(60))
        guard status == 0, let dom = try? String(contentsOfFile: out, encoding: .utf8) else {
            throw TestFailure("chromium --dump-dom \(url) failed (status \(status)): \(output)")
        }
        return dom
    }

    /// A PNG of the page at this window size.
    static func screenshot(_ url: String, width: Int, height: Int, to file: String, profile: TemporaryDirectory) async throws {
        let (status, output) = try await ChildProcess.run(
            "\(binary) \(flags)\(profile.file("profile")) --window-size=\(width),\(height) --screenshot='\(file)' '\(url)' 2>&1", timeout: .seconds(60))
        guard status == 0, FileManager.default.fileExists(atPath: file) else {
            throw TestFailure("chromium --screenshot of \(url) failed (status \(status)): \(output)")
        }
    }

    /// What dom_facts.py reads from a DOM.
    struct Facts: Decodable {
        var roles: [String: [String: Int]]
        var nodes: [Node]
        var event: [String: String]?
        var eventNames: [String]
        var scripts: Int
        var text: String

        struct Node: Decodable, Hashable {
            var name: String
            var role: String
        }
    }

    static func facts(_ dom: String) async throws -> Facts {
        try JSONDecoder().decode(Facts.self, from: try await TestPython.run("dom_facts.py", [], input: Data(dom.utf8)))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
