/// "Did you mean": the closest known name, counting a swap of two adjacent
/// letters as one edit (`pritn` → `print`), within max(1, length/3) edits;
/// failing that, for names in scope (`byPrefix`), a name that begins the
/// other (`dataset` → `data`), the shorter of the two at least 3 letters
/// (shorter prefixes match too much to be a guess worth showing). Fields and
/// parameters keep to the distance: their errors list what there is.
/// GirdNN's `NameSuggestions` (plain Levenshtein) names the models; this one
/// serves the language, where typos are swaps as often as slips.
enum Suggestions {
    static func closest(to name: String, among candidates: [String], byPrefix: Bool = false) -> String? {
        let target = Array(name.lowercased())
        let threshold = max(1, target.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let d = distance(target, Array(candidate.lowercased()))
            if d <= threshold, best == nil || d < best!.distance || (d == best!.distance && candidate < best!.name) {
                best = (candidate, d)
            }
        }
        return best?.name ?? (byPrefix ? closestByPrefix(to: name, among: candidates) : nil)
    }

    /// The candidate that starts the name or that the name starts, nearest in length.
    private static func closestByPrefix(to name: String, among candidates: [String]) -> String? {
        let lowered = name.lowercased()
        var best: (name: String, gap: Int)?
        for candidate in candidates where candidate != name {
            let other = candidate.lowercased()
            let (shorter, longer) = other.count < lowered.count ? (other, lowered) : (lowered, other)
            guard shorter.count >= 3, longer.hasPrefix(shorter) else { continue }
            let gap = longer.count - shorter.count
            if best == nil || gap < best!.gap || (gap == best!.gap && candidate < best!.name) { best = (candidate, gap) }
        }
        return best?.name
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent swaps).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = min(d, table[i - 2][j - 2] + 1)
                }
                table[i][j] = d
            }
        }
        return table[a.count][b.count]
    }
}
