import GirdNN

/// The arithmetic and comparisons most loops and recursions spend their time
/// in, specialised when compiled: an int (or float) pair is computed in
/// place before falling back to `Operators.binary`, a literal right operand
/// is captured rather than evaluated, a local left operand is read from its
/// slot directly, and a comparison used as a condition gives a Bool without
/// boxing one. Overflow falls back too, so that the general path reports it.
extension Compiler {
    func compileCondition(_ condition: Expr, what: String) throws -> (Frame) throws -> Bool {
        if case let .binary(op, left, right) = condition.kind,
           [.less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual].contains(op) {
            // A comparison as a condition: no bool value boxed and unboxed.
            // (A float pair compares as IEEE does, NaN false, as the general path.)
            if case .int(let y) = right.kind {
                if op == .less, case .name(let use) = left.kind, case .local(let slot) = use.slot {
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
                if case .float(let x) = a, case .float(let y) = b { return x < y }
                return try general(a, b)
            }
            case .lessEqual: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x <= y }
                if case .float(let x) = a, case .float(let y) = b { return x <= y }
                return try general(a, b)
            }
            case .greater: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x > y }
                if case .float(let x) = a, case .float(let y) = b { return x > y }
                return try general(a, b)
            }
            case .greaterEqual: return { f in
                let a = try l(f), b = try r(f)
                if case .int(let x) = a, case .int(let y) = b { return x >= y }
                if case .float(let x) = a, case .float(let y) = b { return x >= y }
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

    func compileBinary(_ op: BinaryOperator, _ left: Expr, _ right: Expr, span: SourceSpan) throws -> Eval {
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
    func compileWithConstant(_ op: BinaryOperator, _ left: Expr, _ y: Int64, span: SourceSpan) throws -> Eval? {
        guard [.add, .subtract, .multiply, .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual].contains(op) else { return nil }
        if case .name(let use) = left.kind, case .local(let slot) = use.slot {
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

    func compileConstantComparison(_ op: BinaryOperator, _ l: @escaping Eval, _ y: Int64, span: SourceSpan) -> (Frame) throws -> Bool {
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
}
