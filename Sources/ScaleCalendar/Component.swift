/// A block `BEGIN:NAME` … `END:NAME` with its properties and nested blocks.
public struct Component: Sendable {
    public var name: String
    public var line: Int
    public var properties: [ContentLine]
    public var children: [Component]

    public func first(_ name: String) -> ContentLine? { properties.first { $0.name == name } }
    public func all(_ name: String) -> [ContentLine] { properties.filter { $0.name == name } }
    public func children(_ name: String) -> [Component] { children.filter { $0.name == name } }

    /// The blocks of a file; every BEGIN must be closed by its own END.
    /// - Throws: ``CalendarError`` at an END that closes another block, a BEGIN never closed, or a
    ///   property outside any block.
    public static func parse(_ lines: [ContentLine]) throws(CalendarError) -> [Component] {
        var stack: [Component] = []
        var roots: [Component] = []
        for line in lines {
            switch line.name {
            case "BEGIN":
                let name = line.value.trimmingSpaces.uppercased()
                guard !name.isEmpty else { throw CalendarError(line: line.line, "BEGIN has no block name") }
                guard stack.count < 16 else { throw CalendarError(line: line.line, "blocks are nested more than 16 deep") }
                stack.append(Component(name: name, line: line.line, properties: [], children: []))
            case "END":
                let name = line.value.trimmingSpaces.uppercased()
                guard let open = stack.popLast() else {
                    throw CalendarError(line: line.line, "END:\(name) closes no open block")
                }
                guard open.name == name else {
                    throw CalendarError(line: open.line, "BEGIN:\(open.name) is never closed (line \(line.line) has END:\(name))")
                }
                if stack.isEmpty { roots.append(open) } else { stack[stack.count - 1].children.append(open) }
            default:
                guard !stack.isEmpty else {
                    throw CalendarError(line: line.line, "the property \(line.name) is outside BEGIN:VCALENDAR … END:VCALENDAR")
                }
                stack[stack.count - 1].properties.append(line)
            }
        }
        if let open = stack.last { throw CalendarError(line: open.line, "BEGIN:\(open.name) is never closed") }
        return roots
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
