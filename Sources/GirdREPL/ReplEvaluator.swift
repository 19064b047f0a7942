/// What `ReplSession` needs from the recipe interpreter. The REPL depends on
/// the language only through this protocol (and the two it refines), so that
/// GirdREPL builds and is tested without it.
public protocol ReplEvaluator: CompletenessChecker, CompletionProvider {
    /// Runs one statement (or several, from a pipe or a file), keeping its
    /// bindings; binds `_` to the value of a final expression. Checks
    /// `Interrupt.check()` at safe points and returns `.interrupted` then,
    /// with every binding made before the interrupted statement intact.
    func evaluate(source: String) -> ReplOutcome
    /// `:type EXPR`.
    func describeType(of source: String) -> ReplOutcome
    /// `:load FILE`.
    func load(path: String) -> ReplOutcome
    /// `:help NAME` (nil: `:help` alone, the list of builtins). Nil result:
    /// no such name.
    func help(topic: String?) -> String?
    /// `:reset`: forgets every binding.
    func reset()
}

public enum ReplOutcome: Equatable {
    /// The printed value of a final expression (already formatted, e.g. by
    /// `TensorView.show` for a tensor on a terminal).
    case value(String)
    /// A statement with nothing to print (a binding, a definition).
    case silent
    /// An error, already formatted as the language reports it
    /// (`<repl>:1:5: error: ...` with the source line and caret).
    case failure(String)
    /// Stopped by Ctrl-C at a safe point; `detail` says more when there is
    /// more to say (a training run: where its checkpoint is, how to resume).
    case interrupted(detail: String?)
}
