import GirdNN
import GirdTensor

/// Calling a value: a recipe function (arguments bound to its slots), a
/// builtin (arguments bound by its registered signature), or a callable
/// engine object (`m(x)`). Errors raised inside a recipe function collect
/// the frames they pass through for the traceback.
enum Calls {
    static func arityError(_ function: RecipeFunction, given: Int, span: SourceSpan) -> RecipeError {
        let code = function.code
        let takes = code.positionalCount == 1 ? "1 positional argument" : "\(code.positionalCount) positional arguments"
        var message = "\(code.name)() takes \(takes) but \(given) \(given == 1 ? "was" : "were") given"
        if given > code.positionalCount && code.parameterNames.count > code.positionalCount {
            let named = code.parameterNames[code.positionalCount...].joined(separator: ", ")
            message += " (\(named) must be named: \(code.parameterNames[code.positionalCount]): ...)"
        }
        return RecipeError(message, at: span)
    }

    /// Runs a function whose frame holds its arguments.
    @inline(__always)
    static func invoke(_ function: RecipeFunction, frame: Frame, span: SourceSpan, caller: String,
                       context: InterpreterContext) throws -> Value {
        context.callDepth += 1
        defer { context.callDepth -= 1 }
        if context.callDepth > context.maximumCallDepth {
            throw RecipeError("recursion too deep (more than \(context.maximumCallDepth) frames)", at: span)
        }
        try context.tick(span)
        do {
            let value = try function.body(frame)
            return frame.control == .returned ? frame.returnValue : value
        } catch var error as RecipeError {
            if !error.isInterrupt {
                if error.frames.isEmpty, let inner = error.span { error.frames.append((function.code.name, inner)) }
                error.frames.append((caller, span))
            }
            throw error
        }
    }

    static func call(_ callee: Value, _ positional: [Value], _ named: [(name: String, value: Value, span: SourceSpan)],
                     span: SourceSpan, caller: String, context: InterpreterContext) throws -> Value {
        switch callee {
        case .function(let function):
            let code = function.code
            guard positional.count <= code.positionalCount else {
                throw arityError(function, given: positional.count, span: span)
            }
            var values = [Value?](repeating: nil, count: code.parameterNames.count)
            for (i, value) in positional.enumerated() { values[i] = value }
            for argument in named {
                guard let i = code.parameterNames.firstIndex(of: argument.name) else {
                    var message = "\(code.name)() has no parameter '\(argument.name)'"
                    if let suggestion = Suggestions.closest(to: argument.name, among: code.parameterNames) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    throw RecipeError(message, at: argument.span)
                }
                if values[i] != nil {
                    throw RecipeError("\(code.name)() got the argument '\(argument.name)' twice", at: argument.span)
                }
                values[i] = argument.value
            }
            let frame = Frame.make(count: code.slotCount, parent: function.captured)
            for i in 0..<values.count {
                if let value = values[i] {
                    frame.slots[i] = value
                } else if i >= code.positionalCount {
                    frame.slots[i] = function.defaults[i - code.positionalCount]
                } else {
                    throw RecipeError("\(code.name)() is missing the argument '\(code.parameterNames[i])'", at: span)
                }
            }
            return try invoke(function, frame: frame, span: span, caller: caller, context: context)
        case .builtin(let bound):
            return try callBuiltin(bound.builtin, receiver: bound.receiver, positional, named, span: span, context: context)
        case .object(let object):
            if let member = BuiltinRegistry.member(BuiltinRegistry.callMember, of: object.typeName) {
                return try callBuiltin(member, receiver: callee, positional, named, span: span, context: context)
            }
            throw RecipeError("a \(object.typeName) cannot be called", at: span)
        default:
            throw RecipeError("a \(callee.typeName) cannot be called", at: span)
        }
    }

    static func callBuiltin(_ builtin: Builtin, receiver: Value?, _ positional: [Value],
                            _ named: [(name: String, value: Value, span: SourceSpan)],
                            span: SourceSpan, context: InterpreterContext) throws -> Value {
        let arguments = try builtin.bind(positional: positional, named: named, receiver: receiver, context: context, span: span)
        return try run(builtin, arguments, span: span)
    }

    /// A builtin's own errors and the engine's, reported at the call.
    static func run(_ builtin: Builtin, _ arguments: BuiltinArguments, span: SourceSpan) throws -> Value {
        do {
            return try builtin.implementation(arguments)
        } catch let error as RecipeError {
            throw error
        } catch let failure as BuiltinFailure {
            throw RecipeError(failure.message, at: span)
        } catch {
            throw RecipeError(String(describing: error), at: span)
        }
    }
}
