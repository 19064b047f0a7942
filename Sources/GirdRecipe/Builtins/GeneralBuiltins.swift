import Foundation
import GirdRun
import GirdTensor

enum Formatting {
    /// `x` with exactly `digits` decimals (rounded half away from zero).
    static func fixed(_ x: Double, digits: Int) -> String {
        if x.isNaN || x.isInfinite { return Value.format(x) }
        return String(format: "%.\(max(0, min(digits, 17)))f", x)
    }
}

/// What `print` and `str` show: a model as its layers (PyTorch's
/// `print(model)`); anything else as its description (strings bare). Inside
/// a list or a record a model keeps its one-line summary.
private func printed(_ value: Value) -> String {
    if case .object(let object as ModelObject) = value { return object.layers }
    return value.description
}

/// Numbers of a list (ints and floats), for sum, mean, min, ...
private func numbers(_ items: [Value], _ name: String) throws -> [Double] {
    try items.map {
        switch $0 {
        case .int(let i): return Double(i)
        case .float(let x): return x
        default: throw BuiltinFailure("\(name)(): needs numbers, got a \($0.typeName)")
        }
    }
}

/// The list argument of min/max: one list, or several values.
private func candidates(_ arguments: BuiltinArguments) throws -> [Value] {
    let name = arguments.builtin.name
    if arguments.rest.count == 1 {
        guard case .list(let items) = arguments.rest[0] else {
            throw BuiltinFailure("\(name)(): needs a list or several values, got one \(arguments.rest[0].typeName)")
        }
        guard !items.isEmpty else { throw BuiltinFailure("\(name)(): the list is empty") }
        return items
    }
    guard !arguments.rest.isEmpty else { throw BuiltinFailure("\(name)(): needs a list or several values") }
    return arguments.rest
}

private func extreme(_ arguments: BuiltinArguments, wantsLarger: Bool) throws -> Value {
    let items = try candidates(arguments)
    var best = items[0]
    for item in items.dropFirst() {
        guard let c = Value.compare(item, best) else {
            throw BuiltinFailure("\(arguments.builtin.name)(): cannot compare \(item.typeName) and \(best.typeName)")
        }
        if wantsLarger ? c > 0 : c < 0 { best = item }
    }
    return best
}

private func rangeList(_ arguments: BuiltinArguments) throws -> [Value] {
    let values = try arguments.rest.map { value -> Int64 in
        guard case .int(let i) = value else { throw BuiltinFailure("range(): arguments must be ints, got \(value.typeName)") }
        return i
    }
    guard (1...3).contains(values.count) else {
        throw BuiltinFailure("range(): takes 1 to 3 arguments (n, or start, end, step), got \(values.count)")
    }
    let start = values.count == 1 ? 0 : values[0]
    let end = values.count == 1 ? values[0] : values[1]
    let step = values.count == 3 ? values[2] : 1
    guard step != 0 else { throw BuiltinFailure("range(): step must not be zero") }
    let count = step > 0 ? (end > start ? (Double(end) - Double(start)) / Double(step) : 0)
                         : (start > end ? (Double(start) - Double(end)) / Double(-step) : 0)
    guard count.rounded(.up) <= Double(Operators.maximumElements) else {
        // The count in Double: it may exceed Int.max (range(0, 2**63 - 1)).
        throw BuiltinFailure("range(): \(String(format: "%.0f", count.rounded(.up))) elements is too many (at most \(Operators.maximumElements))")
    }
    return Array(stride(from: start, to: end, by: Int64.Stride(step))).map { .int($0) }
}

private func toInt(_ value: Value) throws -> Value {
    switch value {
    case .int: return value
    case .bool(let b): return .int(b ? 1 : 0)
    case .float(let x):
        guard x.isFinite, abs(x) < 9.2e18 else { throw BuiltinFailure("int(): \(Value.format(x)) does not fit in an int") }
        return .int(Int64(x))
    case .string(let s):
        guard let i = Int64(s.trimmingCharacters(in: .whitespaces)) else { throw BuiltinFailure("int(): cannot read \(Value.quote(s)) as an int") }
        return .int(i)
    case .tensor(let t):
        guard t.count == 1 else { throw BuiltinFailure("int(): the tensor has \(t.count) values, not one") }
        return try toInt(.float(Double(try t.item())))
    default: throw BuiltinFailure("int(): cannot convert a \(value.typeName)")
    }
}

private func toFloat(_ value: Value) throws -> Value {
    switch value {
    case .float: return value
    case .int(let i): return .float(Double(i))
    case .bool(let b): return .float(b ? 1 : 0)
    case .string(let s):
        guard let x = Double(s.trimmingCharacters(in: .whitespaces)) else { throw BuiltinFailure("float(): cannot read \(Value.quote(s)) as a float") }
        return .float(x)
    case .tensor(let t):
        guard t.count == 1 else { throw BuiltinFailure("float(): the tensor has \(t.count) values, not one") }
        return .float(Double(try t.item()))
    default: throw BuiltinFailure("float(): cannot convert a \(value.typeName)")
    }
}

private func math(_ name: String, _ doc: String, _ f: @escaping (Double) -> Double, domain: @escaping (Double) -> Bool = { _ in true }) -> Builtin {
    Builtin(name, "x", doc: doc) { arguments in
        if case .tensor(let t) = arguments["x"] {
            switch name {
            case "exp": return .tensor(try t.exp())
            case "log": return .tensor(try t.log())
            case "sqrt": return .tensor(try t.sqrt())
            default: break
            }
        }
        let x = try arguments.double("x")
        guard domain(x) else { throw BuiltinFailure("\(name)(): \(Value.format(x)) is outside its domain") }
        return .float(f(x))
    }
}

extension BuiltinRegistry {
    static var generalBuiltins: [Builtin] {
        [
            Builtin("print", "*values", doc: "prints the values separated by spaces, then a newline") { arguments in
                arguments.context.write(arguments.rest.map(printed).joined(separator: " ") + "\n")
                return .none
            },
            Builtin("write_file", "path, text", doc: "writes text to a file atomically (creating its folders); a dry run writes nothing") { arguments in
                let path = try arguments.writablePath("path"), text = try arguments.string("text")
                let folder = (path as NSString).deletingLastPathComponent
                if arguments.context.isDryRun { return .none }
                if !folder.isEmpty {
                    do {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    } catch {
                        throw BuiltinFailure("write_file(): cannot create the folder \(folder) for \(path)")
                    }
                }
                try RunDirectory.writeAtomically(Data(text.utf8), to: path)
                return .none
            },
            Builtin("len", "x", doc: "the number of elements of a list, characters of a string, fields of a record, images of a dataset, or rows of a tensor") { arguments in
                switch arguments["x"] {
                case .list(let items): return .int(Int64(items.count))
                case .string(let text): return .int(Int64(text.count))
                case .record(let record): return .int(Int64(record.count))
                case .tensor(let t):
                    guard t.rank > 0 else { throw BuiltinFailure("len(): a scalar tensor has no length") }
                    return .int(Int64(t.shape[0]))
                case .object(let object):
                    if let count = object.field("count") { return count }
                    throw BuiltinFailure("len(): a \(object.typeName) has no length")
                default: throw BuiltinFailure("len(): a \(arguments["x"].typeName) has no length")
                }
            },
            Builtin("range", "*bounds", doc: "the ints from start (default 0) below end by step: range(n), range(a, b), range(a, b, step)") { arguments in
                .list(try rangeList(arguments))
            },
            Builtin("str", "x", doc: "the value as text, as print shows it") { arguments in .string(printed(arguments["x"])) },
            Builtin("repr", "x", doc: "the value as it would be written in a recipe (strings quoted)") { arguments in .string(arguments["x"].repr) },
            Builtin("int", "x", doc: "an int from a number (truncated toward zero), a bool, a string or a one-value tensor") { arguments in try toInt(arguments["x"]) },
            Builtin("float", "x", doc: "a float from a number, a bool, a string or a one-value tensor") { arguments in try toFloat(arguments["x"]) },
            Builtin("type", "x", doc: "the type name of a value: int, float, string, list, record, tensor, model, ...") { arguments in .string(arguments["x"].typeName) },
            Builtin("min", "*values", doc: "the smallest element of a list, or of the arguments") { arguments in try extreme(arguments, wantsLarger: false) },
            Builtin("max", "*values", doc: "the largest element of a list, or of the arguments") { arguments in try extreme(arguments, wantsLarger: true) },
            Builtin("sum", "xs", doc: "the sum of a list of numbers (an int when all are ints)") { arguments in
                let items = try arguments.list("xs")
                if items.allSatisfy({ if case .int = $0 { return true } else { return false } }) {
                    var total: Int64 = 0
                    for case .int(let i) in items {
                        let (s, o) = total.addingReportingOverflow(i)
                        if o { throw BuiltinFailure("sum(): integer overflow") }
                        total = s
                    }
                    return .int(total)
                }
                return .float(try numbers(items, "sum").reduce(0, +))
            },
            Builtin("mean", "xs", doc: "the arithmetic mean of a non-empty list of numbers") { arguments in
                let xs = try numbers(try arguments.list("xs"), "mean")
                guard !xs.isEmpty else { throw BuiltinFailure("mean(): the list is empty") }
                return .float(xs.reduce(0, +) / Double(xs.count))
            },
            Builtin("std", "xs, ddof: 0", doc: "the standard deviation of a list of numbers (population; ddof: 1 for the sample one)") { arguments in
                let xs = try numbers(try arguments.list("xs"), "std")
                let ddof = try arguments.int("ddof")
                guard ddof >= 0 else { throw BuiltinFailure("std(): ddof must be zero or more (the degrees of freedom removed), got \(ddof)") }
                guard xs.count - ddof > 0 else { throw BuiltinFailure("std(): needs more than \(ddof) values, got \(xs.count)") }
                let mean = xs.reduce(0, +) / Double(xs.count)
                return .float((xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - ddof)).squareRoot())
            },
            Builtin("sorted", "xs, reverse: false", doc: "a sorted copy of a list of numbers or strings (stable)") { arguments in
                let items = try arguments.list("xs")
                let reverse = try arguments.bool("reverse")
                let sorted = try items.enumerated().sorted { a, b in
                    guard let c = Value.compare(a.element, b.element) else {
                        throw BuiltinFailure("sorted(): cannot compare \(a.element.typeName) and \(b.element.typeName)")
                    }
                    return c == 0 ? a.offset < b.offset : (reverse ? c > 0 : c < 0)
                }
                return .list(sorted.map(\.element))
            },
            Builtin("zip", "*lists", doc: "lists of corresponding elements, as long as the shortest list") { arguments in
                let lists = try arguments.rest.map { value -> [Value] in
                    guard case .list(let items) = value else { throw BuiltinFailure("zip(): arguments must be lists, got \(value.typeName)") }
                    return items
                }
                let count = lists.map(\.count).min() ?? 0
                return .list((0..<count).map { i in .list(lists.map { $0[i] }) })
            },
            Builtin("enumerate", "xs, start: 0", doc: "[index, element] pairs of a list") { arguments in
                let items = try arguments.list("xs")
                let start = Int64(try arguments.int("start"))
                guard start <= Int64.max - Int64(items.count) else {
                    throw BuiltinFailure("enumerate(): start \(start) leaves no room for \(items.count) indices below the largest int, 9223372036854775807")
                }
                return .list(items.enumerated().map { .list([.int(start + Int64($0.offset)), $0.element]) })
            },
            Builtin("keys", "r", doc: "the field names of a record, in order") { arguments in
                .list(try arguments.record("r").keys.map { .string($0) })
            },
            Builtin("values", "r", doc: "the field values of a record, in order") { arguments in
                .list(try arguments.record("r").values)
            },
            Builtin("grid", "axes", doc: "the Cartesian product of a record of lists, as a list of records (row-major: the last field varies fastest)") { arguments in
                let axes = try arguments.record("axes")
                var rows: [Record] = [Record()]
                for (key, value) in zip(axes.keys, axes.values) {
                    guard case .list(let options) = value else {
                        throw BuiltinFailure("grid(): field '\(key)' must be a list, got \(value.typeName)")
                    }
                    guard rows.count * max(options.count, 1) <= 1_000_000 else { throw BuiltinFailure("grid(): more than 1000000 combinations") }
                    rows = rows.flatMap { row in options.map { option -> Record in var next = row; next[key] = option; return next } }
                }
                return .list(rows.map { .record($0) })
            },
            Builtin("args", "", doc: "the command-line arguments given after the recipe file, as strings") { arguments in
                .list(arguments.context.options.arguments.map { .string($0) })
            },
            Builtin("seed", "n", doc: "restarts the random generator (rand, randn, model initialisation) from seed n") { arguments in
                let n = try arguments.int("n")
                guard n >= 0 else { throw BuiltinFailure("seed(): the seed must be non-negative, got \(n)") }
                arguments.context.generator = RandomGenerator(seed: UInt64(n))
                return .none
            },
            Builtin("abs", "x", doc: "the absolute value of a number or a tensor") { arguments in
                switch arguments["x"] {
                case .int(let i):
                    guard i != Int64.min else { throw BuiltinFailure("abs(): integer overflow") }
                    return .int(Swift.abs(i))
                case .float(let x): return .float(Swift.abs(x))
                case .tensor(let t): return .tensor(try t.abs())
                default: throw BuiltinFailure("abs(): needs a number, got \(arguments["x"].typeName)")
                }
            },
            Builtin("round", "x, digits: 0", doc: "a number rounded half to even to `digits` decimals (an int when digits is 0)") { arguments in
                let x = try arguments.double("x")
                let digits = try arguments.int("digits")
                if digits == 0 {
                    if case .int = arguments["x"] { return arguments["x"] }
                    let r = x.rounded(.toNearestOrEven)
                    guard r.isFinite, Swift.abs(r) < 9.2e18 else { throw BuiltinFailure("round(): \(Value.format(x)) does not fit in an int") }
                    return .int(Int64(r))
                }
                let scale = Foundation.pow(10.0, Double(max(-300, min(digits, 300))))
                return .float((x * scale).rounded(.toNearestOrEven) / scale)
            },
            Builtin("fmt", "x, digits: 2", doc: "a number as text with a fixed number of decimals, for tables: fmt(0.91234, 2) is \"0.91\"") { arguments in
                .string(Formatting.fixed(try arguments.double("x"), digits: try arguments.int("digits")))
            },
            Builtin("join", "xs, sep: \"\"", doc: "the elements of a list as text, separated by sep") { arguments in
                .string(try arguments.list("xs").map(\.description).joined(separator: try arguments.string("sep")))
            },
            Builtin("split", "s, sep: \" \"", doc: "a string cut at each occurrence of sep") { arguments in
                let sep = try arguments.string("sep")
                guard !sep.isEmpty else { throw BuiltinFailure("split(): the separator is empty") }
                return .list(try arguments.string("s").components(separatedBy: sep).map { .string($0) })
            },
            Builtin("reversed", "xs", doc: "a list in reverse order") { arguments in .list(try arguments.list("xs").reversed()) },
            math("exp", "e to the power x (element-wise on a tensor)", Foundation.exp),
            math("log", "the natural logarithm (element-wise on a tensor)", Foundation.log, domain: { $0 > 0 }),
            math("sqrt", "the square root (element-wise on a tensor)", Foundation.sqrt, domain: { $0 >= 0 }),
        ]
    }
}
