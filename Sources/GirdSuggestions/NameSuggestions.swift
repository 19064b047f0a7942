/// "Did you mean": the one rule every entry point uses (models, methods,
/// builtins, names in scope, fields, parameters, options, REPL commands), so
/// that a typo gets the same answer wherever it is typed.
///
/// The distance is the optimal string alignment distance, case-insensitive:
/// Levenshtein plus a swap of two adjacent letters as one edit, because swaps
/// (`pritn`, `:hlep`) are as common as slips. A name is a plausible typo when
/// it is within max(1, length / 3) edits of the typed one, so that one-letter
/// names (`:x`) suggest nothing. Among names at the same distance, those that
/// need no swap come first (`kdd` is one deletion from `kd` and one swap from
/// `dkd`: the deletion is the likelier slip), then alphabetical order.
///
/// Written by hand: a few lines over two strings, and no library on the
/// machine offers it.
public enum NameSuggestions {
    /// The candidates closest to `name`, best first, all of them equally
    /// close (up to `limit`); empty when none is close enough. With
    /// `byPrefix`, when nothing is within the distance, a name of at least
    /// 3 letters that begins the other (`dataset` → `data`): for names in
    /// scope, where a shortened or lengthened name is a common slip; fields
    /// and parameters leave it off, their errors list what there is.
    public static func closest(to name: String, among candidates: [String], limit: Int = 2,
                               byPrefix: Bool = false) -> [String] {
        let target = Array(name.lowercased())
        let threshold = max(1, target.count / 3)
        var scored: [(name: String, key: (Int, Int))] = []
        for candidate in candidates where candidate != name {
            let other = Array(candidate.lowercased())
            let swaps = distance(target, other, countingSwaps: true)
            guard swaps <= threshold else { continue }
            scored.append((candidate, (swaps, distance(target, other, countingSwaps: false))))
        }
        scored.sort { a, b in a.key != b.key ? a.key < b.key : a.name < b.name }
        if let best = scored.first?.key {
            return Array(scored.prefix { $0.key == best }.prefix(limit).map(\.name))
        }
        return byPrefix ? closestByPrefix(to: name, among: candidates).map { [$0] } ?? [] : []
    }

    /// The single best suggestion, if any (the first of `closest`).
    public static func best(for name: String, among candidates: [String], byPrefix: Bool = false) -> String? {
        closest(to: name, among: candidates, limit: 1, byPrefix: byPrefix).first
    }

    /// The candidate that starts the name or that the name starts, nearest in
    /// length; the shorter at least 3 letters (shorter prefixes match too much
    /// to be a guess worth showing).
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

    /// Edit distance between two strings (case as given): Levenshtein, plus
    /// adjacent swaps at cost 1 when `countingSwaps` (optimal string alignment).
    public static func distance(_ a: String, _ b: String, countingSwaps: Bool = true) -> Int {
        distance(Array(a), Array(b), countingSwaps: countingSwaps)
    }

    static func distance(_ a: [Character], _ b: [Character], countingSwaps: Bool) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Three rows suffice: the swap looks two rows back.
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if countingSwaps, i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d = min(d, beforePrevious[j - 2] + 1)
                }
                current[j] = d
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
