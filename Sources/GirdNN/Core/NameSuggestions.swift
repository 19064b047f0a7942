/// "Did you mean" for misspelt names: the known names within a small edit
/// distance, closest first.
public enum NameSuggestions {
    /// The known names closest to `name` (case-insensitive edit distance),
    /// if within max(1, len/3) edits; ties are all given, up to `limit`.
    public static func closest(to name: String, among candidates: [String], limit: Int = 2) -> [String] {
        let target = Array(name.lowercased())
        let threshold = max(1, target.count / 3)
        let scored: [(name: String, distance: Int)] = candidates.map { candidate in
            (candidate, editDistance(target, Array(candidate.lowercased())))
        }
        let near = scored.filter { $0.distance <= threshold }.sorted { a, b in
            a.distance != b.distance ? a.distance < b.distance : a.name < b.name
        }
        guard let best = near.first?.distance else { return [] }
        return near.prefix { $0.distance == best }.prefix(limit).map { $0.name }
    }

    /// Levenshtein distance, one row at a time.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
