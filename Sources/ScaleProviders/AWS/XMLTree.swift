import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML element read whole into memory: AWS query API answers are small documents. Namespaces are
/// ignored; names are local names.
struct XMLTree: Sendable, Hashable {
    var name: String
    /// The element's own text, trimmed.
    var text: String
    var children: [XMLTree]

    /// The first direct child with this name.
    func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// The direct children with this name.
    func children(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// Follows direct children: `tree["instanceState", "name"]`.
    subscript(_ path: String...) -> XMLTree? {
        var node: XMLTree? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// The text at a path of direct children, nil when absent or empty.
    func value(_ path: String...) -> String? {
        var node: XMLTree? = self
        for name in path { node = node?.child(name) }
        guard let text = node?.text, !text.isEmpty else { return nil }
        return text
    }

    /// The items of a list: `<set><item/>...</set>` (EC2) or `<set><member/>...</set>` (ELBv2).
    func list(_ name: String) -> [XMLTree] {
        guard let set = child(name) else { return [] }
        return set.children.filter { $0.name == "item" || $0.name == "member" }
    }

    /// The first element with this name at any depth, this one included.
    func first(named name: String) -> XMLTree? {
        if self.name == name { return self }
        for child in children { if let found = child.first(named: name) { return found } }
        return nil
    }

    /// Parses a document; nil when it is not well-formed XML.
    static func parse(_ data: Data) -> XMLTree? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        private var stack: [XMLTree] = []
        private var texts: [String] = []
        var root: XMLTree?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(XMLTree(name: elementName, text: "", children: []))
            texts.append("")
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !texts.isEmpty else { return }
            texts[texts.count - 1] += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard var node = stack.popLast(), let text = texts.popLast() else { return }
            node.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].children.append(node)
            }
        }
    }
}
