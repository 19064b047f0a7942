import GirdNN

/// Calls: the arguments are evaluated where the call is, then the callee
/// (`Calls.swift` binds and runs them). A call to a recipe function with
/// positional arguments only stores them into the new frame's slots, with
/// no array of values on the way for one or two of them.
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
        // A function named by a global (the commonest callee) is read from
        // its slot here, not by a closure of its own.
        var globalSlot: Int?, globalName = ""
        if case .name(let use) = callee.kind, case .global(let slot) = use.slot { (globalSlot, globalName) = (slot, use.name) }
        // The closures below capture these values, never `callee` itself: a
        // syntax tree captured by the compiled code outlived the interpreter
        // (73 bytes a call, found by the fuzzer's leak check).
        let globals = self.globals, calleeSpan = callee.span
        @inline(__always) func readCallee(_ f: Frame) throws -> Value {
            guard let slot = globalSlot else { return try calleeCode(f) }
            let value = globals.slots[slot]
            if case .unset = value { throw Compiler.usedBeforeDefinition(globalName, calleeSpan) }
            return value
        }
        if named.isEmpty {
            let count = positional.count
            // One or two positional arguments are evaluated into Swift
            // locals, each from its own captured closure, then stored into
            // the new frame's first slots.
            switch count {
            case 1:
                let a0 = a0!
                return { f in
                    // A switch over the value read moves the function out of
                    // it: one retain, not a copy of the value and another.
                    let function: RecipeFunction
                    switch try readCallee(f) {
                    case .function(let recipeFunction): function = recipeFunction
                    case let callee: return try Calls.call(callee, [try a0(f)], [], span: span, caller: caller, context: context)
                    }
                    guard function.positionalCount == 1 else { throw Calls.arityError(function, given: 1, span: span) }
                    let argument = try a0(f)
                    return try Calls.invoke(function, span: span, caller: caller, context: context) { frame in
                        frame.bind(0, to: argument)
                        if !function.defaults.isEmpty { Calls.fillDefaults(function, frame, from: 1) }
                    }
                }
            case 2:
                let a0 = a0!, a1 = a1!
                return { f in
                    let function: RecipeFunction
                    switch try readCallee(f) {
                    case .function(let recipeFunction): function = recipeFunction
                    case let callee:
                        return try Calls.call(callee, [try a0(f), try a1(f)], [], span: span, caller: caller, context: context)
                    }
                    guard function.positionalCount == 2 else { throw Calls.arityError(function, given: 2, span: span) }
                    let first = try a0(f), second = try a1(f)
                    return try Calls.invoke(function, span: span, caller: caller, context: context) { frame in
                        frame.bind(0, to: first)
                        frame.bind(1, to: second)
                        if !function.defaults.isEmpty { Calls.fillDefaults(function, frame, from: 2) }
                    }
                }
            default:
                break
            }
            return { f in
                let callee = try calleeCode(f)
                guard case .function(let function) = callee else {
                    let (values, _) = try evaluateArguments(f)
                    return try Calls.call(callee, values, [], span: span, caller: caller, context: context)
                }
                guard count == function.positionalCount else { throw Calls.arityError(function, given: count, span: span) }
                let (values, _) = try evaluateArguments(f)
                return try Calls.invoke(function, span: span, caller: caller, context: context) { frame in
                    for i in 0..<count { frame.bind(i, to: values[i]) }
                    Calls.fillDefaults(function, frame, from: count)
                }
            }
        }
        return { f in
            let function = try calleeCode(f)
            let (values, namedValues) = try evaluateArguments(f)
            return try Calls.call(function, values, namedValues, span: span, caller: caller, context: context)
        }
    }
}
