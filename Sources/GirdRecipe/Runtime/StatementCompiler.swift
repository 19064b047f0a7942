import GirdNN

/// Statements: declarations store into the slot the resolver chose, loops
/// and `return` leave their state in the frame's `control` for the
/// enclosing statements to see (no Swift errors thrown for control flow).
extension Compiler {
    func compileStatement(_ statement: Stmt) throws -> Eval {
        let span = statement.span
        switch statement.kind {
        case .expression(let expression):
            return try compileExpression(expression)
        case let .declaration(kind, binding, value):
            let valueCode = try compileExpression(value)
            if kind == .param { return compileParam(binding, value: valueCode) }
            return store(binding, valueCode)
        case .function(let declaration):
            return store(declaration.binding!, try compileFunction(declaration))
        case let .assign(target, value):
            return try compileAssignment(target, value: value)
        case let .forLoop(variable, sequence, body):
            return try compileFor(variable, sequence: sequence, body: body, span: span)
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
        case .importFile(let file):
            return try compileImport(file)
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

    func store(_ binding: NameBinding, _ value: @escaping Eval) -> Eval {
        switch binding.slot {
        case .global(let slot):
            let globals = self.globals
            return { f in globals.slots[slot] = try value(f); return .none }
        case .local(let slot):
            return { f in f.slots[slot] = try value(f); return .none }
        default:
            fatalError("'\(binding.name)' was not resolved to a slot of its own")
        }
    }

    /// A param takes its `--set` value when there is one (converted to the
    /// default's type where that is a widening), otherwise its default.
    func compileParam(_ binding: NameBinding, value: @escaping Eval) -> Eval {
        let name = binding.name, span = binding.span
        parameterNames.append(name)
        guard case .global(let slot) = binding.slot else { fatalError("a param is always global") }
        let context = self.context, globals = self.globals
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


    func compileFor(_ variable: NameBinding, sequence: Expr, body: Block, span: SourceSpan) throws -> Eval {
        // `for i in range(...)` counts without building the list.
        var rangeArguments: [Eval]?
        if case .call(let callee, let arguments) = sequence.kind, case .name(let use) = callee.kind,
           use.name == "range", case .builtin = use.slot,
           (1...3).contains(arguments.count), arguments.allSatisfy({ $0.name == nil }) {
            rangeArguments = try arguments.map { try compileExpression($0.value) }
        }
        let sequenceCode = rangeArguments == nil ? try compileExpression(sequence) : nil
        let run = try compileBlock(body)
        let isGlobal: Bool, slot: Int
        switch variable.slot {
        case .global(let index): (isGlobal, slot) = (true, index)
        case .local(let index): (isGlobal, slot) = (false, index)
        default: fatalError("the loop variable '\(variable.name)' was not resolved")
        }
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

    /// The resolver parsed and resolved the file; it runs once, where the
    /// first `import` of it is.
    func compileImport(_ file: ImportedFile) throws -> Eval {
        guard let program = file.program else { return { _ in .none } }
        let body = try compileProgram(program)
        var done = false
        return { _ in
            if done { return .none }
            done = true
            let topLevel = FrameBox.make(count: 0, parent: nil)
            _ = try withExtendedLifetime(topLevel) { try body(topLevel.frame) }
            return .none
        }
    }
}
