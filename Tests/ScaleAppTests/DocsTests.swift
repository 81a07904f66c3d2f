import Foundation
import ScaleApp
import ScaleTesting
import Testing

/// The README and the pages under docs/: links that lead somewhere, a table of contents on each
/// reference page, one spelling per key, and example configurations that load.
struct DocsTests {
    static let root = TestTools.repositoryRoot
    static let pages = ["configuration", "providers", "calendars", "operations", "architecture"].map { "docs/\($0).md" }

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: "\(root)/\(path)", encoding: .utf8)
    }

    /// Markdown outside fenced code blocks.
    static func prose(_ text: String) -> String {
        var inCode = false
        return text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            if line.hasPrefix("```") { inCode.toggle(); return false }
            return !inCode
        }.joined(separator: "\n")
    }

    /// The anchors GitHub gives a page's headings: lowercased, punctuation dropped, spaces as hyphens,
    /// repeats numbered.
    static func anchors(_ text: String) -> Set<String> {
        var seen: [String: Int] = [:]
        var result: Set<String> = []
        for line in prose(text).split(separator: "\n") where line.hasPrefix("#") {
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            let slug = String(title.lowercased().unicodeScalars.filter {
                CharacterSet.alphanumerics.contains($0) || $0 == " " || $0 == "-" || $0 == "_"
            }.map(Character.init)).replacingOccurrences(of: " ", with: "-")
            let count = seen[slug, default: 0]
            seen[slug] = count + 1
            result.insert(count == 0 ? slug : "\(slug)-\(count)")
        }
        return result
    }

    /// `[text](target)` links of a page that are not web addresses.
    static func localLinks(_ text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        let prose = prose(text)
        return pattern.matches(in: prose, range: NSRange(prose.startIndex..., in: prose)).compactMap { match in
            let target = String(prose[Range(match.range(at: 1), in: prose)!])
            return target.hasPrefix("http") || target.hasPrefix("mailto:") ? nil : target
        }
    }

    @Test(arguments: ["README.md"] + pages)
    func everyLocalLinkLeadsToAFileAndHeadingThatExist(page: String) throws {
        let text = try Self.read(page)
        let directory = (page as NSString).deletingLastPathComponent
        for link in Self.localLinks(text) {
            let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let target = parts[0].isEmpty ? page : ((directory as NSString).appendingPathComponent(parts[0]) as NSString).standardizingPath
            #expect(FileManager.default.fileExists(atPath: "\(Self.root)/\(target)"), "\(page): the link \(link) leads to no file")
            if parts.count == 2, target.hasSuffix(".md"), let targetText = try? Self.read(target) {
                #expect(Self.anchors(targetText).contains(parts[1]), "\(page): the link \(link) names no heading of \(target)")
            }
        }
    }

    @Test(arguments: pages)
    func eachReferencePageOpensWithItsContents(page: String) throws {
        let text = try Self.read(page)
        #expect(text.hasPrefix("# "), "\(page) has a title")
        #expect(text.contains("\n## Contents\n"), "\(page) has a table of contents")
        let sections = Self.prose(text).split(separator: "\n").filter { $0.hasPrefix("## ") && $0 != "## Contents" }
        let contents = text.components(separatedBy: "## Contents")[1]
        for section in sections {
            #expect(contents.contains("[\(section.dropFirst(3))]"), "\(page): the contents list \(section)")
        }
    }

    @Test func theReadmeIsAFrontPage() throws {
        let readme = try Self.read("README.md")
        #expect(readme.contains("make demo") && readme.contains("make test"), "the quick start's two commands")
        #expect(readme.split(separator: "\n").count < 250, "the reference lives in docs/")
        let guide = readme.components(separatedBy: "## Your first real fleet")
        #expect(guide.count == 2, "a first-fleet guide")
        let steps = guide.last.map { section in
            section.components(separatedBy: "\n## ")[0].split(separator: "\n").filter { $0.range(of: #"^\d+\. "#, options: .regularExpression) != nil }
        } ?? []
        #expect(steps.count == 10, "ten steps, not \(steps.count)")
        for word in ["window", "gate", "ledger", "observe", "converge"] {
            #expect(readme.contains("- **\(word)**"), "the glossary explains \(word)")
        }
    }

    @Test func providersComeInTheOrderPeopleUseThem() throws {
        let text = Self.prose(try Self.read("docs/providers.md"))
        let order = ["## sim", "## Hetzner Cloud", "## DigitalOcean", "## AWS"].map { text.range(of: "\n\($0)")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order.map { $0! } == order.map { $0! }.sorted())
    }

    /// Prices are `[provider.prices]` everywhere a reader sees them.
    @Test func pricesHaveOneSpelling() throws {
        let files = ["README.md"] + Self.pages + ["examples/demo.toml", "providers/sim.toml", "providers/hetzner.toml", "providers/aws.toml"]
        for file in files {
            let text = try Self.read(file)
            #expect(!text.contains("[prices]"), "\(file) writes [prices] where the key is [provider.prices]")
        }
    }

    /// Every complete configuration shown in the docs loads.
    @Test(arguments: ["README.md"] + pages)
    func exampleConfigurationsLoad(page: String) throws {
        let text = try Self.read(page)
        let blocks = text.components(separatedBy: "```toml\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        for block in blocks where block.contains("[controller]") && block.contains("[roles.") {
            #expect(throws: Never.self, "\(page): \(block.prefix(80))") {
                try ConfigLoader.parse(block, file: "\(Self.root)/scalectl.toml")
            }
        }
    }
}
