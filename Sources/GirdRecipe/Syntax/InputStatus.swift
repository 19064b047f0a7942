/// Whether text typed at a prompt is a whole entry, by the parser's own
/// verdict: the REPL runs a complete entry, reads another line for an
/// incomplete one, and runs an invalid one at once so that its error is
/// reported with the caret, as in a file.
public enum InputStatus: Equatable {
    case complete
    /// It ended inside a construct (an open bracket or block, a trailing
    /// operator, `fn f(x)` without its body): more lines could finish it.
    case incomplete
    /// Wrong whatever follows (an unmatched `)`, a string left open at the
    /// end of its line, a misplaced keyword).
    case invalid

    /// Parses `source` without compiling or running anything.
    public init(of source: String) {
        do {
            _ = try Parser.parse(SourceFile(name: "<repl>", text: source))
            self = .complete
        } catch let error as RecipeError {
            self = error.needsMoreInput ? .incomplete : .invalid
        } catch {
            self = .invalid
        }
    }
}
