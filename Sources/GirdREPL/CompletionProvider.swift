/// What Tab offers: `candidates` would each replace the text from
/// `replaceFrom` to the cursor. Offsets are in UTF-8 bytes of the line
/// (what libedit reports), which is also `String.utf8`'s indexing.
public struct Completion: Equatable {
    public var replaceFrom: Int
    public var candidates: [String]

    public init(replaceFrom: Int, candidates: [String]) {
        self.replaceFrom = replaceFrom
        self.candidates = candidates
    }

    public static let none = Completion(replaceFrom: 0, candidates: [])
}

/// Answers Tab. The recipe interpreter implements it (through
/// `ReplCompleter`, with its bindings and members); it must answer at once,
/// without evaluating anything.
public protocol CompletionProvider {
    func completions(line: String, cursor: Int) -> Completion
}

/// The longest prefix all candidates share (by characters).
func commonPrefix(_ strings: [String]) -> String {
    guard var prefix = strings.first else { return "" }
    for string in strings.dropFirst() {
        prefix = String(zip(prefix, string).prefix { $0 == $1 }.map(\.0))
    }
    return prefix
}
