import GirdNN

/// Expressions: literals are captured once, names read the slot the
/// resolver recorded, operators go to `IntegerFastPaths.swift`.
extension Compiler {
    func compileExpression(_ expression: Expr) throws -> Eval {
        let span = expression.span
        switch expression.kind {
        case .none: return { _ in .none }
        case .bool(let b): let v = Value.bool(b); return { _ in v }
        case .int(let i): let v = Value.int(i); return { _ in v }
        case .float(let x): let v = Value.float(x); return { _ in v }
        case .string(let pieces):
            if pieces.count == 1, case .text(let text) = pieces[0] { let v = Value.string(text); return { _ in v } }
            // Literal text is appended as it is, strings and ints without
            // going through a value's description.
            enum Part { case text(String), code(Eval) }
            let parts: [Part] = try pieces.map { piece in
                switch piece {
                case .text(let text): return .text(text)
                case .code(let code): return .code(try compileExpression(code))
                }
            }
            return { f in
                var text = ""
                for part in parts {
                    switch part {
                    case .text(let literal): text += literal
                    case .code(let code):
                        switch try code(f) {
                        case .string(let piece): text += piece
                        case .int(let i): text += String(i)
                        case let value: text += value.description
                        }
                    }
                }
                return .string(text)
            }
        case .name(let use):
            return compileName(use, span: span)
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

    func compileName(_ use: NameUse, span: SourceSpan) -> Eval {
        let name = use.name
        switch use.slot {
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
                    throw Compiler.usedBeforeDefinition(name, span)
                }
                return value
            }
        case .builtin(let index):
            let value = Value.builtin(BoundBuiltin(BuiltinRegistry.functions[index], receiver: nil))
            return { _ in value }
        case .unresolved:
            fatalError("'\(name)' was not resolved before compiling")
        }
    }

    /// A global read before the statement that binds it has run.
    static func usedBeforeDefinition(_ name: String, _ span: SourceSpan) -> RecipeError {
        RecipeError("'\(name)' is used before its definition has run", at: span)
    }

    func compileFunction(_ declaration: FunctionDeclaration) throws -> Eval {
        let defaults = try declaration.parameters.compactMap { try $0.defaultValue.map(compileExpression) }
        let positionalCount = declaration.parameters.prefix { $0.defaultValue == nil }.count
        let name = declaration.name ?? "<fn>"
        functionNames.append(name)
        let body: Eval
        do {
            defer { functionNames.removeLast() }
            // A final `return EXPR` is the body's value: no return flag to set and test.
            var statements = declaration.body.statements
            if let last = statements.last, case .returnValue(let value?) = last.kind {
                statements[statements.count - 1] = Stmt(kind: .expression(value), span: last.span)
            }
            body = try compileStatements(statements, isFunctionBody: true)
        }
        let code = FunctionCode(name: name, parameterNames: declaration.parameters.map(\.name),
                                positionalCount: positionalCount, slotCount: declaration.slotCount,
                                framesOutliveCalls: declaration.makesClosures, span: declaration.span)
        code.body = body
        let captures = declaration.capturesFrame
        if defaults.isEmpty {
            return { f in .function(RecipeFunction(code: code, captured: captures ? f.box : nil, defaults: [])) }
        }
        return { f in
            .function(RecipeFunction(code: code, captured: captures ? f.box : nil, defaults: try defaults.map { try $0(f) }))
        }
    }
}
