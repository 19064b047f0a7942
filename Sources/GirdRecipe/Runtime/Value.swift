import GirdTensor

/// A recipe value. Lists and records are values (Swift arrays underneath,
/// copied on write), so assigning one copies it; tensors, functions and
/// engine objects are references.
public enum Value {
    case none
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case list([Value])
    case record(Record)
    case function(RecipeFunction)
    case builtin(BoundBuiltin)
    case tensor(Tensor)
    case object(RecipeObject)
    /// A global declared but not yet run (read before its definition). Never
    /// visible to a recipe.
    case unset

    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .list: return "list"
        case .record: return "record"
        case .function, .builtin: return "function"
        case .tensor: return "tensor"
        case .object(let object): return object.typeName
        case .unset: return "unset"
        }
    }
}

/// A record `{name: value, ...}`: fields in the order written. Keys may hold
/// any text (a tap such as `stage1.preact` is read as `r["stage1.preact"]`).
public struct Record {
    public private(set) var keys: [String]
    public private(set) var values: [Value]

    public init() {
        keys = []
        values = []
    }

    /// Keys known distinct (a literal's, shared by every record it makes).
    init(keys: [String], values: [Value]) {
        self.keys = keys
        self.values = values
    }

    public init(_ fields: [(String, Value)]) {
        keys = fields.map { $0.0 }
        values = fields.map { $0.1 }
    }

    public func index(of key: String) -> Int? { keys.firstIndex(of: key) }

    public subscript(key: String) -> Value? {
        get { index(of: key).map { values[$0] } }
        set {
            if let i = index(of: key) {
                if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i) }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    mutating func set(at index: Int, _ value: Value) { values[index] = value }

    public var count: Int { keys.count }
}

/// An engine object a recipe holds: a model, a dataset, a loss term, a run.
/// Its methods and properties live in the builtin registry under its type name.
public protocol RecipeObject: AnyObject {
    /// The type name recipes see (`model`, `dataset`, `loss term`, `run`):
    /// the key of its members in `BuiltinRegistry`.
    var typeName: String { get }
    /// How `print` and the REPL show it.
    var summary: String { get }
    /// Fields the object carries besides its registered members.
    func field(_ name: String) -> Value?
}

extension RecipeObject {
    public func field(_ name: String) -> Value? { nil }
}

// MARK: Printing

extension Value: CustomStringConvertible {
    /// What `print` and `str` show: strings bare, everything else as written.
    public var description: String {
        if case .string(let text) = self { return text }
        return repr
    }

    /// The value as it would be written in a recipe (strings quoted).
    public var repr: String { repr(depth: 0) }

    /// Values nested deeper than this print as `[...]` / `{...}`.
    static let maximumPrintDepth = 1000

    private func repr(depth: Int) -> String {
        if depth > Value.maximumPrintDepth {
            if case .list = self { return "[...]" }
            if case .record = self { return "{...}" }
        }
        switch self {
        case .none: return "none"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let x): return Value.format(x)
        case .string(let s): return Value.quote(s)
        case .list(let items): return "[" + items.map { $0.repr(depth: depth + 1) }.joined(separator: ", ") + "]"
        case .record(let record):
            let fields = zip(record.keys, record.values).map { key, value in
                "\(Value.isPlainName(key) ? key : Value.quote(key)): \(value.repr(depth: depth + 1))"
            }
            return "{" + fields.joined(separator: ", ") + "}"
        case .function(let function): return "<fn \(function.name)>"
        case .builtin(let bound): return bound.receiver == nil ? "<builtin \(bound.builtin.name)>" : "<method \(bound.builtin.name)>"
        case .tensor(let tensor): return TensorDisplay.short(tensor)
        case .object(let object): return object.summary
        case .unset: return "<unset>"
        }
    }

    /// Floats print as Python's repr does: shortest round-trip digits, always
    /// with a point or an exponent.
    static func format(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        let text = "\(x)"
        return text
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func isPlainName(_ s: String) -> Bool {
        guard let first = s.utf8.first, !(first >= 48 && first <= 57), TokenKind.keywords[s] == nil else { return false }
        return s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }
}

// MARK: Equality and order

extension Value {
    /// `==`: numbers compare by value (1 == 1.0), lists and records field by
    /// field, tensors, functions and objects by identity.
    public static func equal(_ a: Value, _ b: Value) -> Bool { equal(a, b, depth: 0) }

    /// Values nested deeper than this are compared by their first levels only
    /// (a bound on the stack, which no recipe reaches by accident).
    static let maximumCompareDepth = 100_000

    private static func equal(_ a: Value, _ b: Value, depth: Int) -> Bool {
        if depth > maximumCompareDepth { return true }
        switch (a, b) {
        case (.none, .none): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.float(x), .float(y)): return x == y
        case let (.int(x), .float(y)): return Double(x) == y
        case let (.float(x), .int(y)): return x == Double(y)
        case let (.string(x), .string(y)): return x == y
        case let (.list(x), .list(y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1, depth: depth + 1) }
        case let (.record(x), .record(y)):
            guard x.count == y.count else { return false }
            for (key, value) in zip(x.keys, x.values) {
                guard let other = y[key], equal(value, other, depth: depth + 1) else { return false }
            }
            return true
        case let (.tensor(x), .tensor(y)): return x === y
        case let (.function(x), .function(y)): return x === y
        case let (.builtin(x), .builtin(y)): return x.builtin === y.builtin
        case let (.object(x), .object(y)): return x === y
        default: return false
        }
    }

    /// Order for `<` and `sorted`: numbers, strings, and lists of those
    /// (lexicographically); nil when the two do not compare.
    static func compare(_ a: Value, _ b: Value) -> Int? { compare(a, b, depth: 0) }

    private static func compare(_ a: Value, _ b: Value, depth: Int) -> Int? {
        if depth > maximumCompareDepth { return 0 }
        switch (a, b) {
        case let (.int(x), .int(y)): return x < y ? -1 : (x == y ? 0 : 1)
        case let (.float(x), .float(y)): return x < y ? -1 : (x == y ? 0 : (x > y ? 1 : nil))
        case let (.int(x), .float(y)): return compare(.float(Double(x)), .float(y))
        case let (.float(x), .int(y)): return compare(.float(x), .float(Double(y)))
        case let (.string(x), .string(y)): return x < y ? -1 : (x == y ? 0 : 1)
        case let (.bool(x), .bool(y)): return x == y ? 0 : (!x ? -1 : 1)
        case let (.list(x), .list(y)):
            for (u, v) in zip(x, y) {
                guard let c = compare(u, v, depth: depth + 1) else { return nil }
                if c != 0 { return c }
            }
            return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
        default: return nil
        }
    }
}
