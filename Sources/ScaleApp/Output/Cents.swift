/// Money as printed: whole cents, rounded once, so that the lines of a report add up to its total.
enum Cents {
    /// `value` in cents, rounded half away from zero.
    static func of(_ value: Double) -> Int { Int((value * 100).rounded()) }

    /// The known values, each rounded on its own, added.
    static func sum(_ values: [Double?]) -> Int { values.compactMap { $0.map(of) }.reduce(0, +) }

    /// `values` in cents adding up to `total` cents (largest remainder): each part rounded down, the
    /// cents left over given to the parts with the largest remainders, one each. Unknown parts stay unknown.
    static func apportion(_ values: [Double?], total: Int) -> [Int?] {
        let exact = values.map { $0.map { $0 * 100 } }
        var parts = exact.map { $0.map { Int($0.rounded(.down)) } }
        var left = total - parts.compactMap { $0 }.reduce(0, +)
        let byRemainder = exact.indices.filter { exact[$0] != nil }.sorted { a, b in
            let (ra, rb) = (exact[a]! - exact[a]!.rounded(.down), exact[b]! - exact[b]!.rounded(.down))
            return ra != rb ? ra > rb : a < b
        }
        guard !byRemainder.isEmpty else { return parts }
        var index = 0
        while left != 0 {
            let part = byRemainder[index % byRemainder.count]
            parts[part]! += left > 0 ? 1 : -1
            left += left > 0 ? -1 : 1
            index += 1
        }
        return parts
    }
}
