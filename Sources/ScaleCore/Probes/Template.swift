import Foundation

/// Fills readiness templates: `http://{private_ip}:8080/health`, `celery ... -d celery@{name}`.
public enum Template {
    /// The placeholders every provider knows.
    public static let standardKeys: Set<String> = ["name", "private_ip", "public_ip", "role", "event"]

    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// The placeholder names in `template`, in order.
    public static func placeholders(in template: String) -> [String] {
        var names: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "}") else { break }
            names.append(String(rest[..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// The values a node offers: the standard ones and its provider's extras (`port` on the sim).
    public static func values(for node: Node, role: String) -> [String: String] {
        var values = node.templateValues
        values["name"] = node.name
        values["role"] = role
        values["event"] = node.event ?? ""
        if let ip = node.privateIP { values["private_ip"] = ip }
        if let ip = node.publicIP { values["public_ip"] = ip }
        return values
    }

    /// Substitutes every `{key}`. Values are restricted to host-name and address characters, so a
    /// filled command template cannot carry shell syntax.
    public static func render(_ template: String, values: [String: String]) throws(Failure) -> String {
        var output = template
        for key in placeholders(in: template) {
            guard let value = values[key] else {
                throw Failure(description: "the template \"\(template)\" uses {\(key)}, which this node has no value for")
            }
            guard value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:[]".contains($0)) }) else {
                throw Failure(description: "the value of {\(key)} (\(value)) has characters a template may not carry")
            }
            output = output.replacingOccurrences(of: "{\(key)}", with: value)
        }
        return output
    }
}
