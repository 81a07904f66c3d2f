/// "Did you mean" for configuration keys: the known key closest to a misspelled one, by edit distance.
enum KeySuggestion {
    /// The candidate nearest to `key` when it is close enough to be a typo of it (at most 2 edits, and
    /// fewer than half of the key's letters), the alphabetically first on a tie.
    static func nearest(to key: String, among candidates: some Sequence<String>) -> String? {
        candidates
            .filter { $0 != key }
            .map { (candidate: $0, distance: distance(key, $0)) }
            .filter { $0.distance <= 2 && $0.distance * 2 < key.count }
            .min { ($0.distance, $0.candidate) < ($1.distance, $1.candidate) }?
            .candidate
    }

    /// Edits (insert, delete, replace, swap two neighbours) turning `a` into `b`.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
                }
            }
        }
        return rows[a.count][b.count]
    }
}
