import GirdTensor

/// "Did you mean" in the language's errors: the one closest name by the
/// engine's rule (`NameSuggestions`: swaps count as one edit, case ignored,
/// within max(1, length/3) edits, ties alphabetical), so a misspelling gets
/// the same suggestion from a recipe as from the engine. Kept under this
/// name so that the language's many call sites read as before.
enum Suggestions {
    static func closest(to name: String, among candidates: [String]) -> String? {
        NameSuggestions.suggestion(for: name, among: candidates)
    }
}
