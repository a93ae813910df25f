/// Finds the known field a mistyped one most likely meant.
enum FieldSuggestion {
    /// The name in `names` nearest to `field` by edit distance (ignoring case), if it is near enough to be a typo:
    /// at most one edit for short names, at most a third of the length for longer ones.
    static func nearest(to field: String, among names: [String]) -> String? {
        let target = Array(field.lowercased())
        let limit = max(1, target.count / 3)
        let scored = names.map { ($0, distance(target, Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    /// The Levenshtein distance between two character arrays.
    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var row = [i + 1]
            for (j, y) in b.enumerated() {
                row.append(min(previous[j + 1] + 1, row[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = row
        }
        return previous[b.count]
    }
}
