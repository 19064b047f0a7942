/// "Did you mean" for misspelt names, the one rule for every entry point
/// (the model zoo, the method catalog, the recipe language's names,
/// arguments, fields and command-line options, the REPL's commands). It
/// lives in the lowest module, as every one of those can reach it here:
///
/// - Distance: optimal string alignment, that is Levenshtein (insert,
///   delete, substitute) plus a swap of two adjacent letters as one edit,
///   since typos are swaps as often as slips (`pritn` → `print`).
/// - Case: ignored when measuring (`T` is 0 edits from `t`), kept in the
///   answer; a candidate spelt exactly like the name is never suggested.
/// - Threshold: at most max(1, n / 3) edits, n the length of the name typed,
///   so a short name allows one edit and a long one proportionally more.
/// - Ties: every candidate at the best distance, in alphabetical order, up
///   to `limit` (the language shows one, the engine's errors up to two).
public enum NameSuggestions {
    /// The one best suggestion (the first of `closest`), for messages that name one.
    public static func suggestion(for name: String, among candidates: [String]) -> String? {
        closest(to: name, among: candidates, limit: 1).first
    }

    public static func closest(to name: String, among candidates: [String], limit: Int = 2) -> [String] {
        let target = Array(name.lowercased())
        let threshold = max(1, target.count / 3)
        var best = threshold + 1
        var nearest: [String] = []
        for candidate in candidates where candidate != name {
            let distance = editDistance(target, Array(candidate.lowercased()))
            if distance < best {
                best = distance
                nearest = [candidate]
            } else if distance == best, !nearest.contains(candidate) {
                nearest.append(candidate)
            }
        }
        return Array(nearest.sorted().prefix(limit))
    }

    /// Optimal string alignment distance, case-sensitive.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        editDistance(Array(a), Array(b))
    }

    /// Three rows at a time: the swap looks two rows back.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var distance = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    distance = min(distance, beforePrevious[j - 2] + 1)
                }
                current[j] = distance
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
