import GirdNN

/// Resolves every name before anything runs, as jlox's Resolver does: a
/// local becomes a slot index in its function's frame, a variable of an
/// enclosing function a (depth, slot) pair, a top-level name an index into
/// the global slots, a builtin an index into the registry. The evaluator
/// never looks a name up by its text.
final class Resolver {
    enum Kind: String {
        case param, `let`, `var`, function = "fn", parameter, loopVariable = "loop variable"

        var isAssignable: Bool { self == .var }
    }

    struct Binding {
        let kind: Kind
        let slot: Int
        let isGlobal: Bool
        let span: SourceSpan
    }

    enum Resolution {
        case local(Int)
        case enclosing(depth: Int, slot: Int)
        case global(Int)
        case builtin(Int)
    }

    final class FunctionScope {
        var blocks: [[String: Binding]] = [[:]]
        var slotCount = 0
    }

    private let globals: GlobalSlots
    /// The top-level names of every file run in this session.
    private(set) var globalNames: [String: Binding] = [:]
    /// Blocks at the top level (their names live in global slots too).
    private var topBlocks: [[String: Binding]] = []
    private var functions: [FunctionScope] = []
    /// The REPL may declare a name again; a file may not.
    var allowsRedefinition = false

    init(globals: GlobalSlots) {
        self.globals = globals
    }

    var isTopLevel: Bool { functions.isEmpty && topBlocks.isEmpty }

    func beginFunction() { functions.append(FunctionScope()) }

    /// Ends a function; gives the number of slots its frame needs.
    func endFunction() -> Int { functions.removeLast().slotCount }

    func beginBlock() {
        if let function = functions.last { function.blocks.append([:]) } else { topBlocks.append([:]) }
    }

    func endBlock() {
        if let function = functions.last { function.blocks.removeLast() } else { topBlocks.removeLast() }
    }

    /// Declares `name` in the innermost scope; gives where it lives.
    func declare(_ name: String, kind: Kind, span: SourceSpan) throws -> Binding {
        if let function = functions.last {
            if let existing = function.blocks[function.blocks.count - 1][name], !allowsRedefinition {
                throw redefinition(name, existing, span)
            }
            let binding = Binding(kind: kind, slot: function.slotCount, isGlobal: false, span: span)
            function.slotCount += 1
            function.blocks[function.blocks.count - 1][name] = binding
            return binding
        }
        if !topBlocks.isEmpty {
            if let existing = topBlocks[topBlocks.count - 1][name], !allowsRedefinition { throw redefinition(name, existing, span) }
            let binding = Binding(kind: kind, slot: globals.add(), isGlobal: true, span: span)
            topBlocks[topBlocks.count - 1][name] = binding
            return binding
        }
        if let existing = globalNames[name] {
            // The file's own pre-declaration (so that functions may call
            // ones defined below them) is the same binding.
            if existing.span.startsWhere(span) {
                return existing
            }
            if !allowsRedefinition { throw redefinition(name, existing, span) }
            // A REPL redefinition takes over the old slot: the old value is
            // freed when the new one is stored (a session that rebinds a
            // large tensor again and again does not grow), and it stays
            // readable until then, so an entry that fails before its `let`
            // runs leaves the binding as it was.
            let binding = Binding(kind: kind, slot: existing.slot, isGlobal: true, span: span)
            globalNames[name] = binding
            return binding
        }
        let binding = Binding(kind: kind, slot: globals.add(), isGlobal: true, span: span)
        globalNames[name] = binding
        return binding
    }

    /// The top-level names as they are, to go back to if an entry does not compile.
    var globalNamesSnapshot: [String: Binding] { globalNames }

    func restoreGlobalNames(_ snapshot: [String: Binding]) {
        globalNames = snapshot
    }

    /// Where a top-level name lives now, if it is bound.
    func globalSlot(of name: String) -> Int? { globalNames[name]?.slot }

    /// The top-level names bound so far (no builtins).
    var boundGlobalNames: [String] { Array(globalNames.keys) }

    private func redefinition(_ name: String, _ existing: Binding, _ span: SourceSpan) -> RecipeError {
        let place = "\(existing.span.file.name):\(existing.span.line):\(existing.span.column)"
        return RecipeError("'\(name)' is already defined (at \(place))", at: span)
    }

    func resolve(_ name: String, span: SourceSpan) throws -> (Resolution, Binding?) {
        var depth = 0
        for function in functions.reversed() {
            for block in function.blocks.reversed() {
                if let binding = block[name] {
                    return (depth == 0 ? .local(binding.slot) : .enclosing(depth: depth, slot: binding.slot), binding)
                }
            }
            depth += 1
        }
        for block in topBlocks.reversed() {
            if let binding = block[name] { return (.global(binding.slot), binding) }
        }
        if let binding = globalNames[name] { return (.global(binding.slot), binding) }
        if let index = BuiltinRegistry.functionIndex[name] { return (.builtin(index), nil) }
        var message = "unknown name '\(name)'"
        if let suggestion = Suggestions.closest(to: name, among: visibleNames()) {
            message += "; did you mean '\(suggestion)'?"
        }
        throw RecipeError(message, at: span)
    }

    /// Every name visible from here (for suggestions and completion).
    func visibleNames() -> [String] {
        var names = Set<String>(globalNames.keys)
        for block in topBlocks { names.formUnion(block.keys) }
        for function in functions { for block in function.blocks { names.formUnion(block.keys) } }
        names.formUnion(BuiltinRegistry.functionIndex.keys)
        return names.sorted()
    }
}
