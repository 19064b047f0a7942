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

    func compileStatements(_ statements: [Stmt]) throws -> Eval {
        guard !statements.isEmpty else { return { _ in .none } }
        return try chain(statements[...])
    }

    /// Statements as a chain of closures, each calling the next: no array of
    /// closures on the way (reading one back from an array costs a
    /// reabstraction thunk on every call).
    func chain(_ statements: ArraySlice<Stmt>) throws -> Eval {
        let first = try compileStatement(statements.first!)
        if statements.count == 1 { return first }
        let rest = try chain(statements.dropFirst())
        return { f in
            _ = try first(f)
            if f.control != .normal { return .none }
            return try rest(f)
        }
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
