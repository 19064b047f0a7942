import GirdNN

/// A compiled expression or statement: a Swift closure over the frame.
typealias Eval = (Frame) throws -> Value

/// Turns the resolved syntax tree into Swift closures, once: the resolver
/// has recorded every name's slot on the tree, every operator becomes a
/// specialised closure with an int fast path, so running a recipe walks no
/// tree and looks up no name. The work is split by job: statements,
/// expressions, assignment, calls and the integer fast paths each have a
/// file of their own (`extension Compiler`).
final class Compiler {
    let context: InterpreterContext
    let globals: GlobalSlots
    /// The function being compiled, innermost last (`<top level>` outside
    /// any): a call records it as its caller for tracebacks.
    var functionNames: [String] = ["<top level>"]
    /// Names of the params declared so far (for `--set` checks).
    var parameterNames: [String] = []

    init(context: InterpreterContext) {
        self.context = context
        self.globals = context.globals
    }

    // MARK: Programs and blocks

    /// A resolved file's top level.
    func compileProgram(_ block: Block) throws -> Eval {
        try compileStatements(block.statements)
    }

    /// `isFunctionBody`: the statements' value is the function's (a
    /// `return` at this level may give it directly).
    func compileStatements(_ statements: [Stmt], isFunctionBody: Bool = false) throws -> Eval {
        guard !statements.isEmpty else { return { _ in .none } }
        return try chain(statements[...], isFunctionBody: isFunctionBody)
    }

    /// Statements as a chain of closures, each calling the next: no array of
    /// closures on the way (reading one back from an array costs a
    /// reabstraction thunk on every call).
    func chain(_ statements: ArraySlice<Stmt>, isFunctionBody: Bool) throws -> Eval {
        if isFunctionBody, statements.count > 1, let (test, result) = try compileEarlyReturn(statements.first!) {
            // `if c { return x }` then the rest of a function's body: the
            // body's value is `x` or the rest's, with no return flag to set
            // and test (the early exit of every recursion).
            let rest = try chain(statements.dropFirst(), isFunctionBody: true)
            return { f in try test(f) ? try result(f) : try rest(f) }
        }
        let first = try compileStatement(statements.first!)
        if statements.count == 1 { return first }
        let rest = try chain(statements.dropFirst(), isFunctionBody: isFunctionBody)
        return { f in
            _ = try first(f)
            if f.control != .normal { return .none }
            return try rest(f)
        }
    }

    /// The test and the value of `if c { return x }` (no `else`).
    private func compileEarlyReturn(_ statement: Stmt) throws -> ((Frame) throws -> Bool, Eval)? {
        guard case .expression(let expression) = statement.kind, case let .ifElse(condition, then, nil) = expression.kind,
              then.statements.count == 1, case .returnValue(let value?) = then.statements[0].kind else { return nil }
        return (try compileCondition(condition, what: "an if condition"), try compileExpression(value))
    }

    /// A `{ ... }` block (its scope was the resolver's business).
    func compileBlock(_ block: Block) throws -> Eval {
        try compileStatements(block.statements)
    }
}

/// "an" before a type name starting with a vowel ("an int"), else "a".
func article(_ word: String) -> String {
    "aeiou".contains(word.first ?? "x") ? "an" : "a"
}
