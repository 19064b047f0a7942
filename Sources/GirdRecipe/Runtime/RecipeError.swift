/// Every error a recipe can raise: lexical, syntax, name, type, value, a
/// failed assert, an engine error at the call that caused it. It prints as a
/// compiler does, then the recipe frames it passed through, innermost last.
public struct RecipeError: Error, CustomStringConvertible {
    public var message: String
    public var span: SourceSpan?
    /// The recipe frames the error passed through, innermost first (as they
    /// were collected): the function each frame ran and where it was.
    var frames: [(function: String, span: SourceSpan)] = []

    /// The recipe frames the error passed through, outermost first: the
    /// function each frame ran and where that frame was when the error went
    /// through it. Empty for an error at the top level.
    public var traceback: [(function: String, span: SourceSpan)] { frames.reversed() }
    /// Set when the error is a Ctrl-C rather than a fault of the recipe.
    public var isInterrupt = false
    /// Set by the parser when the text ended before the construct did (an
    /// open bracket or block, a trailing operator): more lines could make
    /// it valid, which is how the REPL decides to show its `... ` prompt.
    public var needsMoreInput = false

    public init(_ message: String, at span: SourceSpan?) {
        self.message = message
        self.span = span
    }

    static func interrupted(at span: SourceSpan?) -> RecipeError {
        var error = RecipeError("interrupted", at: span)
        error.isInterrupt = true
        return error
    }

    public var description: String {
        guard let span else { return "error: \(message)\n" }
        var text = "\(span.description): error: \(message)\n"
        let line = span.file.line(span.line)
        text += "    \(line)\n"
        let available = max(1, line.count - span.column + 1)
        let width = min(span.length, available)
        text += "    " + String(repeating: " ", count: max(0, span.column - 1)) + "^"
            + String(repeating: "~", count: max(0, width - 1)) + "\n"
        let frames = traceback
        if !frames.isEmpty {
            text += "traceback (innermost last):\n"
            // A runaway recursion keeps its first and last frames.
            let shown = frames.count > 20 ? Array(frames.prefix(10)) + Array(frames.suffix(10)) : frames
            for (i, frame) in shown.enumerated() {
                if frames.count > 20 && i == 10 { text += "    ... \(frames.count - 20) more frames ...\n" }
                text += "    \(frame.span.description): in \(frame.function)\n"
            }
        }
        return text
    }
}

/// What a builtin throws for bad arguments: the interpreter turns it into a
/// `RecipeError` at the call.
public struct BuiltinFailure: Error {
    public var message: String
    public init(_ message: String) { self.message = message }
}
