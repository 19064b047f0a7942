import Foundation
import GirdTensor

/// The arithmetic, comparison and membership operators on values. Ints
/// stay ints (an overflow is an error, never a wrap or a trap), `/` always
/// gives a float, `//` and `%` floor as Python's do, and tensors broadcast.
enum Operators {
    /// Results larger than this (list or string repetition, ranges) are refused.
    static let maximumElements = 20_000_000

    static func failure(_ message: String, _ span: SourceSpan) -> RecipeError { RecipeError(message, at: span) }

    static func unsupported(_ op: BinaryOperator, _ a: Value, _ b: Value, _ span: SourceSpan) -> RecipeError {
        failure("unsupported operand types for '\(op.rawValue)': \(a.typeName) and \(b.typeName)", span)
    }

    static func overflow(_ op: BinaryOperator, _ x: Int64, _ y: Int64, _ span: SourceSpan) -> RecipeError {
        failure("integer overflow: \(x) \(op.rawValue) \(y) does not fit in 64 bits", span)
    }

    static func number(_ v: Value) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .float(let x): return x
        default: return nil
        }
    }

    /// An engine call on tensors, its errors reported at the operator.
    static func engine(_ span: SourceSpan, _ body: () throws -> Tensor) throws -> Value {
        do { return .tensor(try body()) } catch let error as RecipeError { throw error } catch {
            throw RecipeError(String(describing: error), at: span)
        }
    }

    /// Tensor arithmetic: tensor with tensor, or with a number on either side.
    static func tensorArithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value? {
        switch (a, b) {
        case let (.tensor(x), .tensor(y)):
            return try engine(span) {
                switch op {
                case .add: return try x + y
                case .subtract: return try x - y
                case .multiply: return try x * y
                case .divide: return try x / y
                case .power: return try x.pow(y)
                case .matmul: return try Tensor.matmul(x, y)
                default: throw unsupported(op, a, b, span)
                }
            }
        case let (.tensor(x), _):
            guard let n = number(b) else { return nil }
            let y = Float(n)
            return try engine(span) {
                switch op {
                case .add: return try x + y
                case .subtract: return try x - y
                case .multiply: return try x * y
                case .divide: return try x / y
                case .power: return try x.pow(y)
                default: throw unsupported(op, a, b, span)
                }
            }
        case let (_, .tensor(y)):
            guard let n = number(a) else { return nil }
            let x = Float(n)
            return try engine(span) {
                switch op {
                case .add: return try x + y
                case .subtract: return try x - y
                case .multiply: return try x * y
                case .divide: return try x / y
                case .power: return try Tensor.full(y.shape, value: x).pow(y)
                default: throw unsupported(op, a, b, span)
                }
            }
        default:
            return nil
        }
    }

    static func floorDivide(_ x: Int64, _ y: Int64) -> Int64 {
        let q = x / y
        return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q
    }

    static func floorRemainder(_ x: Int64, _ y: Int64) -> Int64 {
        let r = x % y
        return (r != 0 && ((r < 0) != (y < 0))) ? r + y : r
    }

    static func repeated<T>(_ items: [T], _ times: Int64, _ span: SourceSpan) throws -> [T] {
        guard times > 0 else { return [] }
        let (total, overflow) = Int64(items.count).multipliedReportingOverflow(by: times)
        guard !overflow, total <= maximumElements else {
            throw failure("the result would hold \(overflow ? "too many" : String(total)) elements (at most \(maximumElements))", span)
        }
        var out: [T] = []
        out.reserveCapacity(Int(total))
        for _ in 0..<times { out.append(contentsOf: items) }
        return out
    }

    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value, _ span: SourceSpan) throws -> Value {
        switch op {
        case .equal: return .bool(Value.equal(a, b))
        case .notEqual: return .bool(!Value.equal(a, b))
        case .less, .lessEqual, .greater, .greaterEqual:
            // A one-value tensor (a loss, a mean) compares as its number.
            if case .tensor(let t) = a, t.count == 1, number(b) != nil {
                return try binary(op, .float(Double(try t.item())), b, span)
            }
            if case .tensor(let t) = b, t.count == 1, number(a) != nil {
                return try binary(op, a, .float(Double(try t.item())), span)
            }
            guard let c = Value.compare(a, b) else {
                if (number(a) != nil && number(b) != nil) { return .bool(false) }   // NaN
                throw failure("cannot compare \(a.typeName) and \(b.typeName) with '\(op.rawValue)'", span)
            }
            switch op {
            case .less: return .bool(c < 0)
            case .lessEqual: return .bool(c <= 0)
            case .greater: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case .contains: return .bool(try contains(a, b, span))
        default: break
        }
        if case .int(let x) = a, case .int(let y) = b { return try integer(op, x, y, span) }
        if let x = number(a), let y = number(b) { return try floating(op, x, y, span) }
        if let result = try tensorArithmetic(op, a, b, span) { return result }
        switch (op, a, b) {
        case let (.add, .string(x), .string(y)): return .string(x + y)
        case let (.add, .list(x), .list(y)):
            guard x.count + y.count <= maximumElements else { throw failure("list too long", span) }
            return .list(x + y)
        case let (.multiply, .list(x), .int(n)), let (.multiply, .int(n), .list(x)): return .list(try repeated(x, n, span))
        case let (.multiply, .string(x), .int(n)), let (.multiply, .int(n), .string(x)):
            return .string(String(decoding: try repeated(Array(x.utf8), n, span), as: UTF8.self))
        default: throw unsupported(op, a, b, span)
        }
    }

    static func integer(_ op: BinaryOperator, _ x: Int64, _ y: Int64, _ span: SourceSpan) throws -> Value {
        switch op {
        case .add:
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw overflow(op, x, y, span) }
            return .int(r)
        case .subtract:
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw overflow(op, x, y, span) }
            return .int(r)
        case .multiply:
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw overflow(op, x, y, span) }
            return .int(r)
        case .divide:
            if y == 0 { throw failure("division by zero", span) }
            return .float(Double(x) / Double(y))
        case .floorDivide:
            if y == 0 { throw failure("division by zero", span) }
            if x == Int64.min && y == -1 { throw overflow(op, x, y, span) }
            return .int(floorDivide(x, y))
        case .remainder:
            if y == 0 { throw failure("division by zero", span) }
            if y == -1 { return .int(0) }
            return .int(floorRemainder(x, y))
        case .power:
            if y < 0 {
                if x == 0 { throw failure("division by zero (0 to a negative power)", span) }
                return .float(Foundation.pow(Double(x), Double(y)))
            }
            var result: Int64 = 1, base = x, exponent = y
            while exponent > 0 {
                if exponent & 1 == 1 {
                    let (r, o) = result.multipliedReportingOverflow(by: base)
                    if o { throw overflow(op, x, y, span) }
                    result = r
                }
                exponent >>= 1
                if exponent > 0 {
                    let (b, o) = base.multipliedReportingOverflow(by: base)
                    if o { throw overflow(op, x, y, span) }
                    base = b
                }
            }
            return .int(result)
        case .matmul:
            throw unsupported(op, .int(x), .int(y), span)
        default:
            fatalError("not an arithmetic operator: \(op)")
        }
    }

    static func floating(_ op: BinaryOperator, _ x: Double, _ y: Double, _ span: SourceSpan) throws -> Value {
        switch op {
        case .add: return .float(x + y)
        case .subtract: return .float(x - y)
        case .multiply: return .float(x * y)
        case .divide:
            if y == 0 { throw failure("division by zero", span) }
            return .float(x / y)
        case .floorDivide:
            if y == 0 { throw failure("division by zero", span) }
            return .float((x / y).rounded(.down))
        case .remainder:
            if y == 0 { throw failure("division by zero", span) }
            let r = x.truncatingRemainder(dividingBy: y)
            return .float(r != 0 && ((r < 0) != (y < 0)) ? r + y : r)
        case .power:
            if x == 0 && y < 0 { throw failure("division by zero (0 to a negative power)", span) }
            let r = Foundation.pow(x, y)
            if r.isNaN && !x.isNaN && !y.isNaN { throw failure("a negative number to a fractional power has no real value", span) }
            return .float(r)
        case .matmul:
            throw failure("unsupported operand types for '@': numbers (use tensors)", span)
        default:
            fatalError("not an arithmetic operator: \(op)")
        }
    }

    static func contains(_ element: Value, _ container: Value, _ span: SourceSpan) throws -> Bool {
        switch container {
        case .list(let items): return items.contains { Value.equal($0, element) }
        case .record(let record):
            guard case .string(let key) = element else {
                throw failure("'in' a record needs a string key, got \(element.typeName)", span)
            }
            return record.index(of: key) != nil
        case .string(let text):
            guard case .string(let part) = element else {
                throw failure("'in' a string needs a string, got \(element.typeName)", span)
            }
            return part.isEmpty || text.contains(part)
        default:
            throw failure("'in' needs a list, a record or a string on its right, got \(container.typeName)", span)
        }
    }

    static func negate(_ v: Value, _ span: SourceSpan) throws -> Value {
        switch v {
        case .int(let i):
            if i == Int64.min { throw failure("integer overflow: -(\(i)) does not fit in 64 bits", span) }
            return .int(-i)
        case .float(let x): return .float(-x)
        case .tensor(let t): return try engine(span) { try t * Float(-1) }
        default: throw failure("unsupported operand type for unary '-': \(v.typeName)", span)
        }
    }
}
