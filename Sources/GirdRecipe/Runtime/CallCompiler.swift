import GirdNN

/// Calls: the arguments are evaluated where the call is, then the callee
/// (`Calls.swift` binds and runs them). A call to a recipe function with
/// positional arguments only fills the new frame's slots directly.
extension Compiler {
    func compileCall(_ callee: Expr, _ arguments: [Argument], span: SourceSpan) throws -> Eval {
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
                    guard let function = record[name] else { throw Access.noField(name, in: record, nameSpan) }
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
