import GirdNN
import GirdTensor
import GirdSuggestions

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

    /// Runs `function` in a new frame whose parameter slots `fill` sets
    /// (the arguments were evaluated before: an argument that calls a
    /// function pushes and pops its frame before this one is pushed).
    @inline(__always)
    static func invoke(_ function: RecipeFunction, span: SourceSpan, caller: String,
                       context: InterpreterContext, fill: (Frame) -> Void) throws -> Value {
        context.callDepth += 1
        defer { context.callDepth -= 1 }
        if context.callDepth > context.maximumCallDepth {
            throw RecipeError("recursion too deep (more than \(context.maximumCallDepth) frames)", at: span)
        }
        try context.tick(span)
        // The function value holds the frame it captured, which the body
        // reads through its own frame's parent: it must outlive the body.
        return try withExtendedLifetime(function) {
            if !function.framesOutliveCalls,
               let frame = context.frames.push(count: function.slotCount, parameters: function.parameterCount,
                                                parent: function.captured?.frame) {
                defer { context.frames.pop(frame) }
                fill(frame)
                return try run(function, in: frame, span: span, caller: caller)
            }
            let box = FrameBox.make(count: function.slotCount, parent: function.captured)
            return try withExtendedLifetime(box) {
                fill(box.frame)
                return try run(function, in: box.frame, span: span, caller: caller)
            }
        }
    }

    /// The body's value (or what `return` left); errors raised inside
    /// collect the frames they pass through for the traceback.
    @inline(__always)
    private static func run(_ function: RecipeFunction, in frame: Frame, span: SourceSpan, caller: String) throws -> Value {
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

    /// After the positional arguments, the defaults of the named parameters
    /// the call did not give.
    @inline(__always)
    static func fillDefaults(_ function: RecipeFunction, _ frame: Frame, from first: Int) {
        var slot = first
        for value in function.defaults {
            frame.bind(slot, to: value)
            slot += 1
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
                    if let suggestion = NameSuggestions.best(for: argument.name, among: code.parameterNames) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    throw RecipeError(message, at: argument.span)
                }
                if values[i] != nil {
                    throw RecipeError("\(code.name)() got the argument '\(argument.name)' twice", at: argument.span)
                }
                values[i] = argument.value
            }
            var arguments: [Value] = []
            arguments.reserveCapacity(values.count)
            for i in 0..<values.count {
                if let value = values[i] {
                    arguments.append(value)
                } else if i >= code.positionalCount {
                    arguments.append(function.defaults[i - code.positionalCount])
                } else {
                    throw RecipeError("\(code.name)() is missing the argument '\(code.parameterNames[i])'", at: span)
                }
            }
            return try invoke(function, span: span, caller: caller, context: context) { frame in
                for i in 0..<arguments.count { frame.bind(i, to: arguments[i]) }
            }
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
