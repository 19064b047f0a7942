import Foundation
import GirdNN
import GirdTensor

/// A compiled expression or statement: a Swift closure over the frame.
typealias Eval = (Frame) throws -> Value

/// Turns the resolved syntax tree into Swift closures, once: every name is
/// already a slot, every operator a specialised closure with an int fast
/// path, so running a recipe walks no tree and looks up no name.
final class Compiler {
    let context: InterpreterContext
    let resolver: Resolver
    let globals: GlobalSlots
    /// The function being compiled, innermost last (`<top level>` outside any).
    private var functionNames: [String] = ["<top level>"]
    /// Files already imported in this session, by standardized path.
    var imported: Set<String> = []
    /// Names of the params declared so far (for `--set` checks).
    private(set) var parameterNames: [String] = []

    init(context: InterpreterContext, resolver: Resolver) {
        self.context = context
        self.resolver = resolver
        self.globals = context.globals
    }

    // MARK: Programs and blocks

    /// A file's top level: its names are declared first, so a function may
    /// call one defined further down.
    func compileProgram(_ block: Block) throws -> Eval {
        for statement in block.statements {
            switch statement.kind {
            case let .declaration(kind, name, nameSpan, _):
                _ = try resolver.declare(name, kind: kind == .param ? .param : kind == .let ? .let : .var, span: nameSpan)
            case .function(let declaration):
                _ = try resolver.declare(declaration.name!, kind: .function, span: declaration.span)
            default: break
            }
        }
        return try compileStatements(block.statements)
    }

    private func compileStatements(_ statements: [Stmt]) throws -> Eval {
        guard !statements.isEmpty else { return { _ in .none } }
        return try chain(statements[...])
    }

    /// Statements as a chain of closures, each calling the next: no array of
    /// closures on the way (reading one back from an array costs a
    /// reabstraction thunk on every call).
    private func chain(_ statements: ArraySlice<Stmt>) throws -> Eval {
        let first = try compileStatement(statements.first!)
        if statements.count == 1 { return first }
        let rest = try chain(statements.dropFirst())
        return { f in
            _ = try first(f)
            if f.control != .normal { return .none }
            return try rest(f)
        }
    }

    /// A `{ ... }` block with its own scope.
    private func compileBlock(_ block: Block) throws -> Eval {
        resolver.beginBlock()
        defer { resolver.endBlock() }
        return try compileStatements(block.statements)
    }

    // MARK: Statements

    private func compileStatement(_ statement: Stmt) throws -> Eval {
        let span = statement.span
        switch statement.kind {
        case .expression(let expression):
            return try compileExpression(expression)
        case let .declaration(kind, name, nameSpan, value):
            let valueCode = try compileExpression(value)
            let binding = try resolver.declare(name, kind: kind == .param ? .param : kind == .let ? .let : .var, span: nameSpan)
            if kind == .param { return compileParam(name, binding: binding, value: valueCode, span: nameSpan) }
            return store(binding, valueCode)
        case .function(let declaration):
            let binding = try resolver.declare(declaration.name!, kind: .function, span: declaration.span)
            return store(binding, try compileFunction(declaration))
        case let .assign(target, value):
            return try compileAssignment(target, value: value)
        case let .forLoop(variable, variableSpan, sequence, body):
            return try compileFor(variable, variableSpan: variableSpan, sequence: sequence, body: body, span: span)
        case let .whileLoop(condition, body):
            let test = try compileCondition(condition, what: "a while condition")
            let run = try compileBlock(body)
            let context = self.context
            return { f in
                while try test(f) {
                    _ = try run(f)
                    if f.control != .normal {
                        if f.control == .returned { return .none }
                        let stop = f.control == .breakLoop
                        f.control = .normal
                        if stop { break }
                    }
                    try context.tick(span)
                }
                return .none
            }
        case .breakLoop:
            return { f in f.control = .breakLoop; return .none }
        case .continueLoop:
            return { f in f.control = .continueLoop; return .none }
        case .returnValue(let value):
            guard let value else { return { f in f.returnValue = .none; f.control = .returned; return .none } }
            let code = try compileExpression(value)
            return { f in
                f.returnValue = try code(f)
                f.control = .returned
                return .none
            }
        case .importFile(let path):
            return try compileImport(path, span: span)
        case let .assert(condition, message):
            let test = try compileCondition(condition, what: "an assert condition")
            let text = try message.map(compileExpression)
            return { f in
                if try !test(f) {
                    var message = "assertion failed"
                    if let text { message += ": " + (try text(f)).description }
                    throw RecipeError(message, at: span)
                }
                return .none
            }
        }
    }

    private func store(_ binding: Resolver.Binding, _ value: @escaping Eval) -> Eval {
        let slot = binding.slot
        if binding.isGlobal {
            let globals = self.globals
            return { f in globals.slots[slot] = try value(f); return .none }
        }
        return { f in f.slots[slot] = try value(f); return .none }
    }

    /// A param takes its `--set` value when there is one (converted to the
    /// default's type where that is a widening), otherwise its default.
    private func compileParam(_ name: String, binding: Resolver.Binding, value: @escaping Eval, span: SourceSpan) -> Eval {
        parameterNames.append(name)
        let context = self.context, globals = self.globals, slot = binding.slot
        return { f in
            var resolved: Value
            if let override = context.options.parameterOverrides[name] {
                let defaultValue = try value(f)
                resolved = override
                switch (defaultValue, override) {
                case (.float, .int(let i)): resolved = .float(Double(i))
                case (.none, _): break
                default:
                    if defaultValue.typeName != override.typeName {
                        throw RecipeError("--set \(name)=\(override.repr): the param's default is \(article(defaultValue.typeName)) \(defaultValue.typeName) (\(defaultValue.repr)), not \(article(override.typeName)) \(override.typeName)", at: span)
                    }
                }
            } else {
                resolved = try value(f)
            }
            context.resolvedParameters.append((name, resolved))
            globals.slots[slot] = resolved
            return .none
        }
    }

    private func compileCondition(_ condition: Expr, what: String) throws -> (Frame) throws -> Bool {
        if case let .binary(op, left, right) = condition.kind,
           [.less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual].contains(op) {
            // A comparison as a condition: no bool value boxed and unboxed.
            if case .int(let y) = right.kind {
                if op == .less, case .name(let name) = left.kind,
                   case (.local(let slot), _) = try resolver.resolve(name, span: left.span) {
                    // `n < 2` on a local, the commonest loop and recursion test.
                    let constant = Value.int(y), span = condition.span
                    return { f in
                        let a = f.slots[slot]
                        if case .int(let x) = a { return x < y }
                        guard case .bool(let result) = try Operators.binary(op, a, constant, span) else { return false }
                        return result
                    }
                }
                return compileConstantComparison(op, try compileExpression(left), y, span: condition.span)
            }
            let l = try compileExpression(left), r = try compileExpression(right)
            let span = condition.span
            func general(_ a: Value, _ b: Value) throws -> Bool {
                guard case .bool(let result) = try Operators.binary(op, a, b, span) else { return false }
                return result
            }
            switch op {
            case .less: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x < y }
                return try general(a, b)
            }
            case .lessEqual: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x <= y }
                return try general(a, b)
            }
            case .greater: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x > y }
                return try general(a, b)
            }
            case .greaterEqual: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x >= y }
                return try general(a, b)
            }
            case .equal: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x == y }
                return Value.equal(a, b)
            }
            default: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x != y }
                return !Value.equal(a, b)
            }
            }
        }
        let code = try compileExpression(condition)
        let span = condition.span
        return { f in
            let value = try code(f)
            if case .bool(let b) = value { return b }
            throw RecipeError("\(what) must be a bool, got \(value.typeName)", at: span)
        }
    }

    private func compileFor(_ variable: String, variableSpan: SourceSpan, sequence: Expr, body: Block, span: SourceSpan) throws -> Eval {
        // `for i in range(...)` counts without building the list.
        var rangeArguments: [Eval]?
        if case .call(let callee, let arguments) = sequence.kind, case .name("range") = callee.kind,
           (1...3).contains(arguments.count), arguments.allSatisfy({ $0.name == nil }),
           case (.builtin, _) = try resolver.resolve("range", span: callee.span) {
            rangeArguments = try arguments.map { try compileExpression($0.value) }
        }
        let sequenceCode = rangeArguments == nil ? try compileExpression(sequence) : nil
        resolver.beginBlock()
        defer { resolver.endBlock() }
        let binding = try resolver.declare(variable, kind: .loopVariable, span: variableSpan)
        let run = try compileBlock(body)
        let slot = binding.slot, isGlobal = binding.isGlobal
        let globals = self.globals, context = self.context
        let sequenceSpan = sequence.span

        /// Runs the body once; false when the loop must stop.
        @inline(__always) func iterate(_ f: Frame) throws -> Bool {
            _ = try run(f)
            if f.control != .normal {
                if f.control == .returned { return false }
                let stop = f.control == .breakLoop
                f.control = .normal
                if stop { return false }
            }
            try context.tick(span)
            return true
        }

        if let rangeArguments {
            return { f in
                let bounds = try rangeArguments.map { code -> Int64 in
                    let value = try code(f)
                    guard case .int(let i) = value else {
                        throw RecipeError("range(): arguments must be ints, got \(value.typeName)", at: sequenceSpan)
                    }
                    return i
                }
                let start = bounds.count == 1 ? 0 : bounds[0]
                let end = bounds.count == 1 ? bounds[0] : bounds[1]
                let step = bounds.count == 3 ? bounds[2] : 1
                if step == 0 { throw RecipeError("range(): step must not be zero", at: sequenceSpan) }
                var i = start
                if isGlobal {
                    while step > 0 ? i < end : i > end {
                        globals.slots[slot] = .int(i)
                        if try !iterate(f) { break }
                        let (next, overflow) = i.addingReportingOverflow(step)
                        if overflow { break }
                        i = next
                    }
                } else {
                    while step > 0 ? i < end : i > end {
                        f.slots[slot] = .int(i)
                        if try !iterate(f) { break }
                        let (next, overflow) = i.addingReportingOverflow(step)
                        if overflow { break }
                        i = next
                    }
                }
                return .none
            }
        }
        let sequenceEval = sequenceCode!
        return { f in
            let items: [Value]
            switch try sequenceEval(f) {
            case .list(let list): items = list
            case .string(let text): items = text.map { .string(String($0)) }
            case .record(let record): items = record.keys.map { .string($0) }
            case let other:
                throw RecipeError("'for' needs a list, a string or a record, got \(other.typeName)", at: sequenceSpan)
            }
            for item in items {
                if isGlobal { globals.slots[slot] = item } else { f.slots[slot] = item }
                if try !iterate(f) { break }
            }
            return .none
        }
    }

    private func compileImport(_ path: String, span: SourceSpan) throws -> Eval {
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
        if imported.contains(canonical) { return { _ in .none } }
        imported.insert(canonical)
        guard let data = FileManager.default.contents(atPath: canonical) else {
            throw RecipeError("cannot import '\(path)': cannot read \(canonical)", at: span)
        }
        let file = SourceFile(name: found, text: String(decoding: data, as: UTF8.self),
                              directory: (canonical as NSString).deletingLastPathComponent)
        context.loadedSources.append((found, String(decoding: data, as: UTF8.self)))
        let program = try Parser.parse(file)
        let body = try compileProgram(program)
        var done = false
        return { _ in
            if done { return .none }
            done = true
            let frame = Frame.make(count: 0, parent: nil)
            _ = try body(frame)
            return .none
        }
    }

    // MARK: Assignment

    private enum PathStep {
        case index(Eval, SourceSpan)
        case member(String, SourceSpan)
    }

    private enum PathKey {
        case index(Value, SourceSpan)
        case member(String, SourceSpan)

        var span: SourceSpan {
            switch self {
            case .index(_, let span), .member(_, let span): return span
            }
        }
    }

    private func compileAssignment(_ target: Expr, value: Expr) throws -> Eval {
        var steps: [PathStep] = []
        var root = target
        while true {
            if case let .index(base, index) = root.kind {
                steps.append(.index(try compileExpression(index), index.span))
                root = base
            } else if case let .member(base, name, nameSpan) = root.kind {
                steps.append(.member(name, nameSpan))
                root = base
            } else {
                break
            }
        }
        steps.reverse()
        guard case .name(let name) = root.kind else { throw RecipeError("cannot assign to this expression", at: root.span) }
        let (resolution, binding) = try resolver.resolve(name, span: root.span)
        guard let binding else {
            throw RecipeError("cannot assign to '\(name)': it is a builtin", at: root.span)
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
            throw RecipeError("cannot assign to '\(name)': \(why)", at: root.span)
        }
        let valueCode = try compileExpression(value)
        let read: (Frame) -> UnsafeMutablePointer<Value>
        let globals = self.globals
        switch resolution {
        case .local(let slot): read = { f in f.slots + slot }
        case .enclosing(let depth, let slot): read = { f in f.ancestor(depth).slots + slot }
        case .global(let slot): read = { _ in globals.slots + slot }
        case .builtin: fatalError("a builtin has no binding")
        }
        if steps.isEmpty, case let .binary(.add, left, right) = value.kind, case .name(name) = left.kind {
            // `xs = xs + [x]` and `s = s + "x"` append in place: the old
            // value leaves its slot first, so its storage is not shared.
            let span = value.span
            if case .list(let elements) = right.kind {
                // `xs = xs + [a, b]`: the new elements go straight to the end.
                let codes = try elements.map(compileExpression)
                return { f in
                    let pointer = read(f)
                    if case .list = pointer.pointee {
                        var fresh: [Value] = []
                        fresh.reserveCapacity(codes.count)
                        for code in codes { fresh.append(try code(f)) }
                        guard case .list(var items) = pointer.pointee else { return .none }
                        pointer.pointee = .none
                        if items.count + fresh.count > Operators.maximumElements {
                            pointer.pointee = .list(items)
                            throw RecipeError("list too long", at: span)
                        }
                        items.append(contentsOf: fresh)
                        pointer.pointee = .list(items)
                        return .none
                    }
                    let current = pointer.pointee
                    if case .unset = current { throw RecipeError("'\(name)' is used before its definition has run", at: left.span) }
                    var fresh: [Value] = []
                    for code in codes { fresh.append(try code(f)) }
                    pointer.pointee = try Operators.binary(.add, current, .list(fresh), span)
                    return .none
                }
            }
            let rightCode = try compileExpression(right)
            return { f in
                let addition = try rightCode(f)
                let pointer = read(f)
                var current = pointer.pointee
                if case .unset = current { throw RecipeError("'\(name)' is used before its definition has run", at: left.span) }
                pointer.pointee = .none
                if case .list(let more) = addition, case .list(var items) = current {
                    current = .none
                    guard items.count + more.count <= Operators.maximumElements else {
                        pointer.pointee = .list(items)
                        throw RecipeError("list too long", at: span)
                    }
                    items.append(contentsOf: more)
                    pointer.pointee = .list(items)
                } else if case .string(let more) = addition, case .string(var text) = current {
                    current = .none
                    text += more
                    pointer.pointee = .string(text)
                } else {
                    pointer.pointee = current
                    pointer.pointee = try Operators.binary(.add, current, addition, span)
                }
                return .none
            }
        }
        if steps.isEmpty {
            if case .local(let slot) = resolution {
                return { f in f.slots[slot] = try valueCode(f); return .none }
            }
            return { f in read(f).pointee = try valueCode(f); return .none }
        }
        return { f in
            let newValue = try valueCode(f)
            let keys: [PathKey] = try steps.map { step in
                switch step {
                case .index(let code, let span): return .index(try code(f), span)
                case .member(let name, let span): return .member(name, span)
                }
            }
            let pointer = read(f)
            // Take the value out so that its array is uniquely referenced and
            // changes in place; put it back whatever happens.
            var rootValue = pointer.pointee
            pointer.pointee = .none
            defer { pointer.pointee = rootValue }
            try Compiler.update(&rootValue, keys[...], newValue)
            return .none
        }
    }

    private static func update(_ value: inout Value, _ keys: ArraySlice<PathKey>, _ newValue: Value) throws {
        let key = keys.first!
        let rest = keys.dropFirst()
        var fieldName: String?
        if case .member(let name, _) = key { fieldName = name }
        if case .index(.string(let name), _) = key { fieldName = name }
        if let name = fieldName, case .record(var record) = value {
            // The record leaves `value` so that its arrays change in place.
            value = .none
            defer { value = .record(record) }
            if rest.isEmpty {
                record[name] = newValue
            } else {
                guard let i = record.index(of: name) else { throw noField(name, in: record, key.span) }
                var field = record.values[i]
                record.set(at: i, .none)
                defer { record.set(at: i, field) }
                try update(&field, rest, newValue)
            }
            return
        }
        if case .index(.int(let index), let span) = key, case .list(var items) = value {
            let i = index < 0 ? Int(index) + items.count : Int(index)
            guard i >= 0 && i < items.count else {
                throw RecipeError("list index \(index) out of range (size \(items.count))", at: span)
            }
            value = .none
            defer { value = .list(items) }
            if rest.isEmpty {
                items[i] = newValue
            } else {
                var element = items[i]
                items[i] = .none
                defer { items[i] = element }
                try update(&element, rest, newValue)
            }
            return
        }
        switch (key, value) {
        case let (.index(index, span), .list):
            throw RecipeError("list index must be an int, got \(index.typeName)", at: span)
        case let (.index(index, span), .record):
            throw RecipeError("record key must be a string, got \(index.typeName)", at: span)
        case let (.member(name, span), _):
            throw RecipeError("cannot set the field '\(name)' of a \(value.typeName)", at: span)
        case let (.index(_, span), _):
            throw RecipeError("cannot assign to an element of a \(value.typeName)", at: span)
        }
    }

    static func noField(_ name: String, in record: Record, _ span: SourceSpan) -> RecipeError {
        var message = "the record has no field '\(name)'"
        if let suggestion = Suggestions.closest(to: name, among: record.keys) {
            message += "; did you mean '\(suggestion)'?"
        } else if record.count <= 12 {
            message += " (its fields: \(record.keys.joined(separator: ", ")))"
        }
        return RecipeError(message, at: span)
    }

    // MARK: Functions

    private func compileFunction(_ declaration: FunctionDeclaration) throws -> Eval {
        let defaults = try declaration.parameters.compactMap { try $0.defaultValue.map(compileExpression) }
        let positionalCount = declaration.parameters.prefix { $0.defaultValue == nil }.count
        let name = declaration.name ?? "<fn>"
        resolver.beginFunction()
        functionNames.append(name)
        var slotCount = 0
        let body: Eval
        do {
            defer {
                functionNames.removeLast()
                slotCount = resolver.endFunction()
            }
            for parameter in declaration.parameters {
                _ = try resolver.declare(parameter.name, kind: .parameter, span: parameter.span)
            }
            // A final `return EXPR` is the body's value: no return flag to set and test.
            var statements = declaration.body.statements
            if let last = statements.last, case .returnValue(let value?) = last.kind {
                statements[statements.count - 1] = Stmt(kind: .expression(value), span: last.span)
            }
            body = try compileStatements(statements)
        }
        let code = FunctionCode(name: name, parameterNames: declaration.parameters.map(\.name),
                                positionalCount: positionalCount, slotCount: slotCount, span: declaration.span)
        code.body = body
        let captures = functionNames.count > 1
        if defaults.isEmpty {
            return { f in .function(RecipeFunction(code: code, captured: captures ? f : nil, defaults: [])) }
        }
        return { f in
            .function(RecipeFunction(code: code, captured: captures ? f : nil, defaults: try defaults.map { try $0(f) }))
        }
    }

    // MARK: Expressions

    func compileExpression(_ expression: Expr) throws -> Eval {
        let span = expression.span
        switch expression.kind {
        case .none: return { _ in .none }
        case .bool(let b): let v = Value.bool(b); return { _ in v }
        case .int(let i): let v = Value.int(i); return { _ in v }
        case .float(let x): let v = Value.float(x); return { _ in v }
        case .string(let pieces):
            if pieces.count == 1, case .text(let text) = pieces[0] { let v = Value.string(text); return { _ in v } }
            let parts: [Eval] = try pieces.map { piece in
                switch piece {
                case .text(let text): let v = Value.string(text); return { _ in v }
                case .code(let code): return try compileExpression(code)
                }
            }
            return { f in
                var text = ""
                for part in parts { text += try part(f).description }
                return .string(text)
            }
        case .name(let name):
            return try compileName(name, span: span)
        case .list(let elements):
            let codes = try elements.map(compileExpression)
            return { f in
                var items: [Value] = []
                items.reserveCapacity(codes.count)
                for code in codes { items.append(try code(f)) }
                return .list(items)
            }
        case .record(let fields):
            let keys = fields.map(\.key)
            let codes = try fields.map { try compileExpression($0.value) }
            return { f in
                var values: [Value] = []
                values.reserveCapacity(codes.count)
                for code in codes { values.append(try code(f)) }
                return .record(Record(keys: keys, values: values))
            }
        case let .unary(op, operand):
            let code = try compileExpression(operand)
            switch op {
            case .negate:
                return { f in
                    let v = try code(f)
                    if case .float(let x) = v { return .float(-x) }
                    return try Operators.negate(v, span)
                }
            case .not:
                return { f in
                    let v = try code(f)
                    guard case .bool(let b) = v else { throw RecipeError("'not' needs a bool, got \(v.typeName)", at: span) }
                    return .bool(!b)
                }
            }
        case let .binary(op, left, right):
            return try compileBinary(op, left, right, span: span)
        case let .logical(isAnd, left, right):
            let l = try compileExpression(left), r = try compileExpression(right)
            let word = isAnd ? "and" : "or"
            return { f in
                let a = try l(f)
                guard case .bool(let x) = a else { throw RecipeError("'\(word)' needs bools, got \(a.typeName) on its left", at: span) }
                if x != isAnd { return a }
                let b = try r(f)
                guard case .bool = b else { throw RecipeError("'\(word)' needs bools, got \(b.typeName) on its right", at: span) }
                return b
            }
        case let .call(callee, arguments):
            return try compileCall(callee, arguments, span: span)
        case let .index(base, index):
            let b = try compileExpression(base), i = try compileExpression(index)
            return { f in try Access.index(try b(f), try i(f), span) }
        case let .slice(base, start, end):
            let b = try compileExpression(base)
            let s = try start.map(compileExpression), e = try end.map(compileExpression)
            return { f in try Access.slice(try b(f), try s?(f) ?? .none, try e?(f) ?? .none, span) }
        case let .member(base, name, nameSpan):
            let b = try compileExpression(base)
            let context = self.context
            return { f in try Access.member(try b(f), name, nameSpan, context) }
        case .function(let declaration):
            return try compileFunction(declaration)
        case .block(let block):
            return try compileBlock(block)
        case let .ifElse(condition, then, otherwise):
            let test = try compileCondition(condition, what: "an if condition")
            let yes = try compileBlock(then)
            guard let otherwise else {
                if then.statements.count == 1, case .returnValue(let value?) = then.statements[0].kind {
                    // `if c { return x }`, the early exit of a recursion: one closure.
                    resolver.beginBlock()
                    defer { resolver.endBlock() }
                    let result = try compileExpression(value)
                    return { f in
                        if try test(f) {
                            f.returnValue = try result(f)
                            f.control = .returned
                        }
                        return .none
                    }
                }
                return { f in try test(f) ? try yes(f) : .none }
            }
            let no = try compileExpression(otherwise)
            return { f in try test(f) ? try yes(f) : try no(f) }
        }
    }

    private func compileName(_ name: String, span: SourceSpan) throws -> Eval {
        let (resolution, _) = try resolver.resolve(name, span: span)
        switch resolution {
        case .local(let slot):
            return { f in f.slots[slot] }
        case .enclosing(let depth, let slot):
            if depth == 1 { return { f in f.parent!.slots[slot] } }
            return { f in f.ancestor(depth).slots[slot] }
        case .global(let slot):
            let globals = self.globals
            return { _ in
                let value = globals.slots[slot]
                if case .unset = value {
                    throw RecipeError("'\(name)' is used before its definition has run", at: span)
                }
                return value
            }
        case .builtin(let index):
            let value = Value.builtin(BoundBuiltin(BuiltinRegistry.functions[index], receiver: nil))
            return { _ in value }
        }
    }

    private func compileBinary(_ op: BinaryOperator, _ left: Expr, _ right: Expr, span: SourceSpan) throws -> Eval {
        if case .int(let y) = right.kind, let fused = try compileWithConstant(op, left, y, span: span) { return fused }
        let l = try compileExpression(left), r = try compileExpression(right)
        switch op {
        case .add:
            return { f in
                let a = try l(f), b = try r(f)
                switch (a, b) {
                case let (.int(x), .int(y)):
                    let (s, o) = x.addingReportingOverflow(y)
                    if !o { return .int(s) }
                case let (.float(x), .float(y)): return .float(x + y)
                case let (.int(x), .float(y)): return .float(Double(x) + y)
                case let (.float(x), .int(y)): return .float(x + Double(y))
                default: break
                }
                return try Operators.binary(op, a, b, span)
            }
        case .subtract:
            return { f in
                let a = try l(f), b = try r(f)
                switch (a, b) {
                case let (.int(x), .int(y)):
                    let (s, o) = x.subtractingReportingOverflow(y)
                    if !o { return .int(s) }
                case let (.float(x), .float(y)): return .float(x - y)
                case let (.int(x), .float(y)): return .float(Double(x) - y)
                case let (.float(x), .int(y)): return .float(x - Double(y))
                default: break
                }
                return try Operators.binary(op, a, b, span)
            }
        case .multiply:
            return { f in
                let a = try l(f), b = try r(f)
                switch (a, b) {
                case let (.int(x), .int(y)):
                    let (s, o) = x.multipliedReportingOverflow(by: y)
                    if !o { return .int(s) }
                case let (.float(x), .float(y)): return .float(x * y)
                case let (.int(x), .float(y)): return .float(Double(x) * y)
                case let (.float(x), .int(y)): return .float(x * Double(y))
                default: break
                }
                return try Operators.binary(op, a, b, span)
            }
        case .less, .lessEqual, .greater, .greaterEqual:
            return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b {
                    switch op {
                    case .less: return .bool(x < y)
                    case .lessEqual: return .bool(x <= y)
                    case .greater: return .bool(x > y)
                    default: return .bool(x >= y)
                    }
                }
                if case .float(let x) = a, case .float(let y) = b {
                    switch op {
                    case .less: return .bool(x < y)
                    case .lessEqual: return .bool(x <= y)
                    case .greater: return .bool(x > y)
                    default: return .bool(x >= y)
                    }
                }
                return try Operators.binary(op, a, b, span)
            }
        case .equal:
            return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return .bool(x == y) }
                return .bool(Value.equal(a, b))
            }
        case .notEqual:
            return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return .bool(x != y) }
                return .bool(!Value.equal(a, b))
            }
        case .divide:
            return { f in
                let a = try l(f), b = try r(f)
                if case .float(let x) = a, case .float(let y) = b, y != 0 { return .float(x / y) }
                return try Operators.binary(op, a, b, span)
            }
        default:
            return { f in try Operators.binary(op, try l(f), try r(f), span) }
        }
    }

    /// `x + 1`, `n - 2`, `i * 3`, `n < 2`: the constant is captured, not evaluated.
    private func compileWithConstant(_ op: BinaryOperator, _ left: Expr, _ y: Int64, span: SourceSpan) throws -> Eval? {
        guard [.add, .subtract, .multiply, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual].contains(op) else { return nil }
        if case .name(let name) = left.kind, case (.local(let slot), _) = try resolver.resolve(name, span: left.span) {
            // `n - 1`, `i + 1` on a local: the slot is read here, not by a closure.
            let constant = Value.int(y)
            switch op {
            case .add:
                return { f in
                    let a = f.slots[slot]
                    if case .int(let x) = a {
                        let (s, o) = x.addingReportingOverflow(y)
                        if !o { return .int(s) }
                    }
                    return try Operators.binary(op, a, constant, span)
                }
            case .subtract:
                return { f in
                    let a = f.slots[slot]
                    if case .int(let x) = a {
                        let (s, o) = x.subtractingReportingOverflow(y)
                        if !o { return .int(s) }
                    }
                    return try Operators.binary(op, a, constant, span)
                }
            default: break
            }
        }
        let l = try compileExpression(left)
        let constant = Value.int(y)
        switch op {
        case .add:
            return { f in
                let a = try l(f)
                if case .int(let x) = a {
                    let (s, o) = x.addingReportingOverflow(y)
                    if !o { return .int(s) }
                } else if case .float(let x) = a {
                    return .float(x + Double(y))
                }
                return try Operators.binary(op, a, constant, span)
            }
        case .subtract:
            return { f in
                let a = try l(f)
                if case .int(let x) = a {
                    let (s, o) = x.subtractingReportingOverflow(y)
                    if !o { return .int(s) }
                } else if case .float(let x) = a {
                    return .float(x - Double(y))
                }
                return try Operators.binary(op, a, constant, span)
            }
        case .multiply:
            return { f in
                let a = try l(f)
                if case .int(let x) = a {
                    let (s, o) = x.multipliedReportingOverflow(by: y)
                    if !o { return .int(s) }
                } else if case .float(let x) = a {
                    return .float(x * Double(y))
                }
                return try Operators.binary(op, a, constant, span)
            }
        default:
            let test = compileConstantComparison(op, l, y, span: span)
            return { f in .bool(try test(f)) }
        }
    }

    private func compileConstantComparison(_ op: BinaryOperator, _ l: @escaping Eval, _ y: Int64, span: SourceSpan) -> (Frame) throws -> Bool {
        let constant = Value.int(y)
        func general(_ a: Value) throws -> Bool {
            guard case .bool(let result) = try Operators.binary(op, a, constant, span) else { return false }
            return result
        }
        switch op {
        case .less: return { f in
            let a = try l(f)
            if case .int(let x) = a { return x < y }
            return try general(a)
        }
        case .lessEqual: return { f in
            let a = try l(f)
            if case .int(let x) = a { return x <= y }
            return try general(a)
        }
        case .greater: return { f in
            let a = try l(f)
            if case .int(let x) = a { return x > y }
            return try general(a)
        }
        case .greaterEqual: return { f in
            let a = try l(f)
            if case .int(let x) = a { return x >= y }
            return try general(a)
        }
        case .equal: return { f in
            let a = try l(f)
            if case .int(let x) = a { return x == y }
            return try general(a)
        }
        default: return { f in
            let a = try l(f)
            if case .int(let x) = a { return x != y }
            return try general(a)
        }
        }
    }

    // MARK: Calls

    private func compileCall(_ callee: Expr, _ arguments: [Argument], span: SourceSpan) throws -> Eval {
        let positionalExpressions = arguments.filter { $0.name == nil }.map(\.value)
        // One or two arguments are compiled into closures of their own (not
        // read back from an array: see `chain`).
        let a0 = positionalExpressions.count >= 1 && positionalExpressions.count <= 2 ? try compileExpression(positionalExpressions[0]) : nil
        let a1 = positionalExpressions.count == 2 ? try compileExpression(positionalExpressions[1]) : nil
        let positional: [Eval] = positionalExpressions.count > 2 ? try positionalExpressions.map(compileExpression) : [a0, a1].compactMap { $0 }
        let named = try arguments.filter { $0.name != nil }.map { ($0.name!, $0.nameSpan!, try compileExpression($0.value)) }
        let context = self.context
        let caller = functionNames.last!

        func evaluateArguments(_ f: Frame) throws -> ([Value], [(name: String, value: Value, span: SourceSpan)]) {
            var values: [Value] = []
            values.reserveCapacity(positional.count)
            for code in positional { values.append(try code(f)) }
            let namedValues = try named.map { (name: $0.0, value: try $0.2(f), span: $0.1) }
            return (values, namedValues)
        }

        // `x.name(...)`: a method of a tensor or an engine object, or a function in a record field.
        if case let .member(base, name, nameSpan) = callee.kind {
            let b = try compileExpression(base)
            return { f in
                let receiver = try b(f)
                let (values, namedValues) = try evaluateArguments(f)
                switch receiver {
                case .record(let record):
                    guard let function = record[name] else { throw Compiler.noField(name, in: record, nameSpan) }
                    return try Calls.call(function, values, namedValues, span: span, caller: caller, context: context)
                default:
                    if let member = BuiltinRegistry.member(name, of: receiver.typeName), member.kind == .method {
                        return try Calls.callBuiltin(member, receiver: receiver, values, namedValues, span: span, context: context)
                    }
                    let function = try Access.member(receiver, name, nameSpan, context)
                    return try Calls.call(function, values, namedValues, span: span, caller: caller, context: context)
                }
            }
        }

        let calleeCode = try compileExpression(callee)
        if named.isEmpty {
            let count = positional.count
            // One, two or three positional arguments go straight into the new
            // frame, each from its own captured closure.
            func enter(_ f: Frame, _ function: Value) throws -> (RecipeFunction, Frame)? {
                guard case .function(let recipeFunction) = function else { return nil }
                guard count == recipeFunction.positionalCount else {
                    throw Calls.arityError(recipeFunction, given: count, span: span)
                }
                let frame = Frame.make(count: recipeFunction.slotCount, parent: recipeFunction.captured)
                if !recipeFunction.defaults.isEmpty {
                    var slot = count
                    for value in recipeFunction.defaults { frame.slots[slot] = value; slot += 1 }
                }
                return (recipeFunction, frame)
            }
            switch count {
            case 1:
                let a0 = a0!
                return { f in
                    let function = try calleeCode(f)
                    if let (recipeFunction, frame) = try enter(f, function) {
                        frame.slots[0] = try a0(f)
                        return try Calls.invoke(recipeFunction, frame: frame, span: span, caller: caller, context: context)
                    }
                    return try Calls.call(function, [try a0(f)], [], span: span, caller: caller, context: context)
                }
            case 2:
                let a0 = a0!, a1 = a1!
                return { f in
                    let function = try calleeCode(f)
                    if let (recipeFunction, frame) = try enter(f, function) {
                        frame.slots[0] = try a0(f)
                        frame.slots[1] = try a1(f)
                        return try Calls.invoke(recipeFunction, frame: frame, span: span, caller: caller, context: context)
                    }
                    return try Calls.call(function, [try a0(f), try a1(f)], [], span: span, caller: caller, context: context)
                }
            default:
                break
            }
            return { f in
                let function = try calleeCode(f)
                if case .function(let recipeFunction) = function {
                    let code = recipeFunction.code
                    guard count == code.positionalCount else {
                        throw Calls.arityError(recipeFunction, given: count, span: span)
                    }
                    let frame = Frame.make(count: code.slotCount, parent: recipeFunction.captured)
                    for i in 0..<count { frame.slots[i] = try positional[i](f) }
                    var slot = count
                    for value in recipeFunction.defaults { frame.slots[slot] = value; slot += 1 }
                    return try Calls.invoke(recipeFunction, frame: frame, span: span, caller: caller, context: context)
                }
                let (values, _) = try evaluateArguments(f)
                return try Calls.call(function, values, [], span: span, caller: caller, context: context)
            }
        }
        return { f in
            let function = try calleeCode(f)
            let (values, namedValues) = try evaluateArguments(f)
            return try Calls.call(function, values, namedValues, span: span, caller: caller, context: context)
        }
    }
}

/// "an" before a type name starting with a vowel ("an int"), else "a".
func article(_ word: String) -> String {
    "aeiou".contains(word.first ?? "x") ? "an" : "a"
}
