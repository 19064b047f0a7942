import Foundation
import GirdNN
import GirdSuggestions

/// Resolves every name before anything compiles, as a pass of its own over
/// the tree (jlox's Resolver, starlark-go's resolve): each `NameUse` gets
/// its `Slot` (a local of the current frame, a variable of an enclosing
/// function as a (depth, slot) pair, a global, a builtin), each
/// `NameBinding` the slot it is stored in, each `fn` its frame size. Every
/// error about names is found here: unknown names, redefinitions,
/// assignments to constants, missing imports. The compiler then reads the
/// slots from the tree and never looks a name up by its text.
///
/// The walk visits the tree in the order the compiler used to resolve it
/// (a call's arguments before its callee, a declaration's value before its
/// name), so that a file with two mistakes reports the same one first.
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

    final class FunctionScope {
        var blocks: [[String: Binding]] = [[:]]
        var slotCount = 0
        var makesClosures = false
    }

    private let globals: GlobalSlots
    private let context: InterpreterContext
    /// Files already imported in this session, by standardized path.
    private var imported: Set<String> = []
    /// The top-level names of every file run in this session.
    private(set) var globalNames: [String: Binding] = [:]
    /// Blocks at the top level (their names live in global slots too).
    private var topBlocks: [[String: Binding]] = []
    private var functions: [FunctionScope] = []
    /// The REPL may declare a name again; a file may not.
    var allowsRedefinition = false

    init(context: InterpreterContext) {
        self.context = context
        self.globals = context.globals
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

    /// Where `name` lives from here, and its binding (nil for a builtin).
    func lookUp(_ name: String, span: SourceSpan) throws -> (Slot, Binding?) {
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
        if let suggestion = NameSuggestions.best(for: name, among: visibleNames(), byPrefix: true) {
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

// MARK: The pass over the tree

extension Resolver {
    /// A file's top level: its names are declared first, so that a function
    /// may call one defined further down.
    func resolveProgram(_ block: Block) throws {
        for statement in block.statements {
            switch statement.kind {
            case let .declaration(kind, binding, _):
                _ = try declare(binding, kind: Kind(kind))
            case .function(let declaration):
                _ = try declare(declaration.binding!, kind: .function)
            default: break
            }
        }
        for statement in block.statements { try resolve(statement) }
    }

    /// Declares a statement's name and records its slot on the tree.
    @discardableResult
    private func declare(_ binding: NameBinding, kind: Kind) throws -> Binding {
        let declared = try declare(binding.name, kind: kind, span: binding.span)
        binding.slot = declared.isGlobal ? .global(declared.slot) : .local(declared.slot)
        return declared
    }

    private func resolveBlock(_ block: Block) throws {
        beginBlock()
        defer { endBlock() }
        for statement in block.statements { try resolve(statement) }
    }

    private func resolve(_ statement: Stmt) throws {
        switch statement.kind {
        case .expression(let expression):
            try resolve(expression)
        case let .declaration(kind, binding, value):
            try resolve(value)
            try declare(binding, kind: Kind(kind))
        case .function(let declaration):
            try declare(declaration.binding!, kind: .function)
            try resolveFunction(declaration)
        case let .assign(target, value):
            try resolveAssignment(target, value: value)
        case let .forLoop(variable, sequence, body):
            try resolve(sequence)
            beginBlock()
            defer { endBlock() }
            try declare(variable, kind: .loopVariable)
            try resolveBlock(body)
        case let .whileLoop(condition, body):
            try resolve(condition)
            try resolveBlock(body)
        case .breakLoop, .continueLoop, .returnValue(nil):
            break
        case .returnValue(let value?):
            try resolve(value)
        case .importFile(let file):
            try resolveImport(file, span: statement.span)
        case let .assert(condition, message):
            try resolve(condition)
            if let message { try resolve(message) }
        }
    }

    private func resolve(_ expression: Expr) throws {
        switch expression.kind {
        case .none, .bool, .int, .float:
            break
        case .string(let pieces):
            for case .code(let code) in pieces { try resolve(code) }
        case .name(let use):
            use.slot = try lookUp(use.name, span: expression.span).0
        case .list(let elements):
            for element in elements { try resolve(element) }
        case .record(let fields):
            for field in fields { try resolve(field.value) }
        case let .unary(_, operand):
            try resolve(operand)
        case let .binary(_, left, right), let .logical(_, left, right):
            try resolve(left)
            try resolve(right)
        case let .call(callee, arguments):
            // Positional arguments, then named ones, then the callee.
            for argument in arguments where argument.name == nil { try resolve(argument.value) }
            for argument in arguments where argument.name != nil { try resolve(argument.value) }
            if case .member(let base, _, _) = callee.kind { try resolve(base) } else { try resolve(callee) }
        case let .index(base, index):
            try resolve(base)
            try resolve(index)
        case let .slice(base, start, end):
            try resolve(base)
            if let start { try resolve(start) }
            if let end { try resolve(end) }
        case let .member(base, _, _):
            try resolve(base)
        case .function(let declaration):
            try resolveFunction(declaration)
        case .block(let block):
            try resolveBlock(block)
        case let .ifElse(condition, then, otherwise):
            try resolve(condition)
            try resolveBlock(then)
            if let otherwise { try resolve(otherwise) }
        }
    }

    /// Defaults are evaluated where the `fn` is, the body in a frame of its own.
    private func resolveFunction(_ declaration: FunctionDeclaration) throws {
        for parameter in declaration.parameters {
            if let value = parameter.defaultValue { try resolve(value) }
        }
        declaration.capturesFrame = !functions.isEmpty
        functions.last?.makesClosures = true
        beginFunction()
        defer {
            declaration.makesClosures = functions.last!.makesClosures
            declaration.slotCount = endFunction()
        }
        // Parameters take the first slots, in order: a call fills them by position.
        for parameter in declaration.parameters {
            _ = try declare(parameter.name, kind: .parameter, span: parameter.span)
        }
        for statement in declaration.body.statements { try resolve(statement) }
    }

    /// The root of `x`, `x[i]` or `x.a[i].b` must be a variable.
    private func resolveAssignment(_ target: Expr, value: Expr) throws {
        var root = target
        while true {
            // Indices from the outermost in, as the compiler evaluates them.
            if case let .index(base, index) = root.kind {
                try resolve(index)
                root = base
            } else if case let .member(base, _, _) = root.kind {
                root = base
            } else {
                break
            }
        }
        guard case .name(let use) = root.kind else { throw RecipeError("cannot assign to this expression", at: root.span) }
        let (slot, binding) = try lookUp(use.name, span: root.span)
        guard let binding else {
            throw RecipeError("cannot assign to '\(use.name)': it is a builtin", at: root.span)
        }
        guard binding.kind.isAssignable else {
            let why: String
            switch binding.kind {
            case .let: why = "it was declared with 'let' (use 'var' for a variable)"
            case .param: why = "it is a param (params are constant once resolved; use --set to change it)"
            case .function: why = "it is a function"
            case .parameter: why = "it is a function parameter"
            case .loopVariable: why = "it is a loop variable"
            default: why = "it is constant"
            }
            throw RecipeError("cannot assign to '\(use.name)': \(why)", at: root.span)
        }
        use.slot = slot
        try resolve(value)
    }

    /// Finds the file (next to the importer, then in the library folders),
    /// parses it and resolves it as a program of its own; a file the
    /// session imported already is not read again.
    private func resolveImport(_ file: ImportedFile, span: SourceSpan) throws {
        let path = file.path
        var candidates: [String] = []
        if path.hasPrefix("/") {
            candidates = [path]
        } else {
            let base = span.file.directory ?? FileManager.default.currentDirectoryPath
            candidates.append((base as NSString).appendingPathComponent(path))
            for directory in context.options.libraryDirectories {
                candidates.append((directory as NSString).appendingPathComponent(path))
            }
        }
        // A file never imports itself: `sweep.recipe` that imports "sweep.recipe"
        // means the standard library's, not its own name in its own folder.
        func canonicalPath(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        let importer = span.file.directory.map {
            canonicalPath(($0 as NSString).appendingPathComponent((span.file.name as NSString).lastPathComponent))
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) && canonicalPath($0) != importer })
        else {
            let looked = candidates.map { ($0 as NSString).deletingLastPathComponent }
            throw RecipeError("cannot import '\(path)': no such file (looked in \(looked.joined(separator: ", ")))", at: span)
        }
        let canonical = canonicalPath(found)
        if imported.contains(canonical) { return }
        imported.insert(canonical)
        guard let data = FileManager.default.contents(atPath: canonical) else {
            throw RecipeError("cannot import '\(path)': cannot read \(canonical)", at: span)
        }
        let source = SourceFile(name: found, text: String(decoding: data, as: UTF8.self),
                                directory: (canonical as NSString).deletingLastPathComponent)
        context.loadedSources.append((found, String(decoding: data, as: UTF8.self)))
        let program = try Parser.parse(source)
        try resolveProgram(program)
        file.program = program
    }
}

extension Resolver.Kind {
    init(_ kind: Stmt.DeclarationKind) {
        switch kind {
        case .param: self = .param
        case .let: self = .let
        case .var: self = .var
        }
    }
}
