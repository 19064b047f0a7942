import GirdNN
import GirdTensor
import GirdSuggestions

/// One parameter of a builtin: its name, its default (nil: required), and
/// whether it must be named at the call.
public struct BuiltinParameter {
    public let name: String
    public let defaultValue: Value?
    public let keywordOnly: Bool
}

/// A builtin's parameters, written as a recipe would call it:
/// `"name, classes: 100, in_channels: 3"` (a default makes a parameter
/// optional; parameters after `*` must be named; `*values` takes any number
/// of positional arguments). Defaults are recipe literals.
public struct BuiltinSignature {
    public let parameters: [BuiltinParameter]
    /// The name of the variadic parameter, if any (it comes first).
    public let variadic: String?

    public init(_ text: String) {
        var parameters: [BuiltinParameter] = []
        var variadic: String?
        var keywordOnly = false
        for piece in BuiltinSignature.split(text) {
            if piece == "*" { keywordOnly = true; continue }
            if piece.hasPrefix("*") { variadic = String(piece.dropFirst()); continue }
            if let colon = piece.firstIndex(of: ":") {
                let name = piece[..<colon].trimmingCharacters(in: " ")
                let literal = piece[piece.index(after: colon)...].trimmingCharacters(in: " ")
                guard let value = try? LiteralParser.parse(literal) else {
                    fatalError("builtin signature '\(text)': default '\(literal)' is not a literal")
                }
                parameters.append(BuiltinParameter(name: name, defaultValue: value, keywordOnly: keywordOnly))
            } else {
                parameters.append(BuiltinParameter(name: piece.trimmingCharacters(in: " "), defaultValue: nil, keywordOnly: keywordOnly))
            }
        }
        self.parameters = parameters
        self.variadic = variadic
        var indexByName: [String: Int] = [:]
        for (i, parameter) in parameters.enumerated() { indexByName[parameter.name] = i }
        self.indexByName = indexByName
    }

    /// Where each parameter sits in `BuiltinArguments.values`.
    let indexByName: [String: Int]

    /// The position of the parameter `name`. A name the signature lacks is a
    /// typo in a builtin's implementation, not a recipe's mistake.
    func index(of name: String) -> Int {
        guard let index = indexByName[name] else {
            fatalError("builtin signature has no parameter '\(name)' (known: \(parameters.map(\.name)))")
        }
        return index
    }

    /// Splits at top-level commas (defaults may be lists).
    private static func split(_ text: String) -> [String] {
        var pieces: [String] = []
        var depth = 0, current = ""
        for character in text {
            if character == "[" || character == "{" || character == "(" { depth += 1 }
            if character == "]" || character == "}" || character == ")" { depth -= 1 }
            if character == "," && depth == 0 { pieces.append(current); current = ""; continue }
            current.append(character)
        }
        if !current.trimmingCharacters(in: " ").isEmpty { pieces.append(current) }
        return pieces.map { $0.trimmingCharacters(in: " ") }
    }

    /// As the docs and `:help` show it: `model(name, classes: 100, in_channels: 3)`.
    public var rendered: String {
        var pieces: [String] = []
        if let variadic { pieces.append("\(variadic)...") }
        for parameter in parameters {
            if let value = parameter.defaultValue {
                pieces.append("\(parameter.name): \(value.repr)")
            } else {
                pieces.append(parameter.keywordOnly ? "\(parameter.name):" : parameter.name)
            }
        }
        return pieces.joined(separator: ", ")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}

/// The arguments of one builtin call, bound to the signature: `values[i]`
/// is parameter i's (its default when not given), `rest` the variadic ones.
public struct BuiltinArguments {
    public let builtin: Builtin
    public let values: [Value]
    public let rest: [Value]
    /// `t` in `t.mean()`; nil for a plain function.
    public let receiver: Value?
    public let context: InterpreterContext
    public let span: SourceSpan
    /// Which parameters the call gave (the others hold their defaults).
    public var given: [Bool] = []

    public init(builtin: Builtin, values: [Value], rest: [Value], receiver: Value?, context: InterpreterContext,
                span: SourceSpan, given: [Bool] = []) {
        self.builtin = builtin
        self.values = values
        self.rest = rest
        self.receiver = receiver
        self.context = context
        self.span = span
        self.given = given
    }

    /// Whether the call gave the parameter called `name` (rather than taking its default).
    public func isGiven(_ name: String) -> Bool {
        let index = builtin.signature.index(of: name)
        return index < given.count && given[index]
    }


    /// The value of the parameter called `name` (its default when not given).
    /// Builtins read their arguments by name, so that a signature can gain a
    /// parameter anywhere without renumbering its implementation.
    public subscript(_ name: String) -> Value { values[builtin.signature.index(of: name)] }

    public func int(_ name: String) throws -> Int { try int(builtin.signature.index(of: name)) }
    public func optionalInt(_ name: String) throws -> Int? {
        let index = builtin.signature.index(of: name)
        if case .none = values[index] { return nil }
        return try int(index)
    }
    public func double(_ name: String) throws -> Double { try double(builtin.signature.index(of: name)) }
    public func bool(_ name: String) throws -> Bool { try bool(builtin.signature.index(of: name)) }
    public func string(_ name: String) throws -> String { try string(builtin.signature.index(of: name)) }
    public func optionalString(_ name: String) throws -> String? { try optionalString(builtin.signature.index(of: name)) }
    public func list(_ name: String) throws -> [Value] { try list(builtin.signature.index(of: name)) }
    public func record(_ name: String) throws -> Record { try record(builtin.signature.index(of: name)) }
    public func tensor(_ name: String) throws -> Tensor { try tensor(builtin.signature.index(of: name)) }
    public func ints(_ name: String) throws -> [Int] { try ints(builtin.signature.index(of: name)) }
    public func object<T: RecipeObject>(_ name: String, as type: T.Type, named: String) throws -> T {
        try object(builtin.signature.index(of: name), as: type, named: named)
    }

    private func failure(_ index: Int, _ expected: String) -> BuiltinFailure {
        BuiltinFailure("\(builtin.name)(): argument '\(builtin.signature.parameters[index].name)' must be \(expected), got \(values[index].typeName)")
    }

    private func int(_ index: Int) throws -> Int {
        if case .int(let value) = values[index] { return Int(value) }
        throw failure(index, "an int")
    }

    private func double(_ index: Int) throws -> Double {
        switch values[index] {
        case .int(let value): return Double(value)
        case .float(let value): return value
        default: throw failure(index, "a number")
        }
    }

    private func bool(_ index: Int) throws -> Bool {
        if case .bool(let value) = values[index] { return value }
        throw failure(index, "a bool")
    }

    private func string(_ index: Int) throws -> String {
        if case .string(let value) = values[index] { return value }
        throw failure(index, "a string")
    }

    private func optionalString(_ index: Int) throws -> String? {
        if case .none = values[index] { return nil }
        return try string(index)
    }

    private func list(_ index: Int) throws -> [Value] {
        if case .list(let value) = values[index] { return value }
        throw failure(index, "a list")
    }

    private func record(_ index: Int) throws -> Record {
        if case .record(let value) = values[index] { return value }
        throw failure(index, "a record")
    }

    private func tensor(_ index: Int) throws -> Tensor {
        if case .tensor(let value) = values[index] { return value }
        throw failure(index, "a tensor")
    }

    private func object<T: RecipeObject>(_ index: Int, as type: T.Type, named: String) throws -> T {
        if case .object(let value) = values[index], let typed = value as? T { return typed }
        throw failure(index, "a \(named)")
    }

    /// The receiver of a method, as the type the member was registered for.
    public func receiverObject<T: RecipeObject>(as type: T.Type) throws -> T {
        if case .object(let value)? = receiver, let typed = value as? T { return typed }
        throw BuiltinFailure("\(builtin.name): wrong receiver")
    }

    public func receiverTensor() throws -> Tensor {
        if case .tensor(let value)? = receiver { return value }
        throw BuiltinFailure("\(builtin.name): wrong receiver")
    }

    /// A list of ints (a shape, a list of milestones).
    private func ints(_ index: Int) throws -> [Int] {
        guard case .list(let items) = values[index] else { throw failure(index, "a list of ints") }
        return try items.map {
            guard case .int(let value) = $0 else { throw failure(index, "a list of ints") }
            return Int(value)
        }
    }
}

/// A builtin function, method or property: registered once, with the
/// signature that checks its arguments and the line of doc `:help` shows.
public final class Builtin {
    public enum Kind { case function, method, property }

    public let name: String
    /// For a member: the type it belongs to (`tensor`, `model`, `dataset`, ...).
    public let receiverType: String?
    public let kind: Kind
    public let signature: BuiltinSignature
    public let doc: String
    /// Whether a call runs networks (a forward pass, training): the command
    /// line tunes the native libraries before a `-e` that names one.
    public let computes: Bool
    let implementation: (BuiltinArguments) throws -> Value

    public init(_ name: String, _ signature: String, doc: String, computes: Bool = false,
                implementation: @escaping (BuiltinArguments) throws -> Value) {
        self.name = name
        self.receiverType = nil
        self.kind = .function
        self.signature = BuiltinSignature(signature)
        self.doc = doc
        self.computes = computes
        self.implementation = implementation
    }

    public init(method name: String, of type: String, _ signature: String, doc: String,
                implementation: @escaping (BuiltinArguments) throws -> Value) {
        self.name = name
        self.computes = false
        self.receiverType = type
        self.kind = .method
        self.signature = BuiltinSignature(signature)
        self.doc = doc
        self.implementation = implementation
    }

    public init(property name: String, of type: String, doc: String,
                implementation: @escaping (BuiltinArguments) throws -> Value) {
        self.name = name
        self.computes = false
        self.receiverType = type
        self.kind = .property
        self.signature = BuiltinSignature("")
        self.doc = doc
        self.implementation = implementation
    }

    /// How a call reads in docs: `model(name, classes: 100, in_channels: 3)`, `t.mean()`, `t.shape`.
    public var usage: String {
        let receiver = receiverType.map { BuiltinRegistry.receiverVariable($0) + "." } ?? ""
        switch kind {
        case .property: return receiver + name
        case .function, .method:
            if name == BuiltinRegistry.callMember { return "\(BuiltinRegistry.receiverVariable(receiverType ?? ""))(\(signature.rendered))" }
            return "\(receiver)\(name)(\(signature.rendered))"
        }
    }

    /// Binds positional and named arguments to the signature; every misuse
    /// is an error at the call (`at` is the name's span for a named one).
    func bind(positional: [Value], named: [(name: String, value: Value, span: SourceSpan)],
              receiver: Value?, context: InterpreterContext, span: SourceSpan) throws -> BuiltinArguments {
        let parameters = signature.parameters
        var values = [Value?](repeating: nil, count: parameters.count)
        var rest: [Value] = []
        let shown = "\(name)()"
        if signature.variadic != nil {
            rest = positional
        } else {
            let positionalSlots = parameters.prefix { !$0.keywordOnly }.count
            if positional.count > positionalSlots {
                let takes = positionalSlots == 1 ? "1 positional argument" : "\(positionalSlots) positional arguments"
                throw RecipeError("\(shown) takes \(takes) but \(positional.count) were given", at: span)
            }
            for (i, value) in positional.enumerated() { values[i] = value }
        }
        for argument in named {
            guard let i = parameters.firstIndex(where: { $0.name == argument.name }) else {
                var message = "\(shown) has no parameter '\(argument.name)'"
                if let suggestion = NameSuggestions.best(for: argument.name, among: parameters.map(\.name)) {
                    message += "; did you mean '\(suggestion)'?"
                }
                throw RecipeError(message, at: argument.span)
            }
            if values[i] != nil {
                throw RecipeError("\(shown) got the argument '\(argument.name)' twice", at: argument.span)
            }
            values[i] = argument.value
        }
        var bound: [Value] = []
        bound.reserveCapacity(parameters.count)
        for (i, parameter) in parameters.enumerated() {
            if let value = values[i] {
                bound.append(value)
            } else if let value = parameter.defaultValue {
                bound.append(value)
            } else {
                throw RecipeError("\(shown) is missing the argument '\(parameter.name)'", at: span)
            }
        }
        return BuiltinArguments(builtin: self, values: bound, rest: rest, receiver: receiver, context: context, span: span,
                                given: values.map { $0 != nil })
    }
}

/// A builtin as a value: a function, or a method bound to its receiver (`t.mean`).
public final class BoundBuiltin {
    public let builtin: Builtin
    public let receiver: Value?

    init(_ builtin: Builtin, receiver: Value?) {
        self.builtin = builtin
        self.receiver = receiver
    }
}

/// Every builtin, in one table: the interpreter resolves names and checks
/// arguments with it, and the REPL's `:help`, its completion and the
/// language reference are generated from it, so they cannot disagree.
///
/// A group of builtins is a static array in its own file under `Builtins/`;
/// adding a group is one more entry in `groups`.
public enum BuiltinRegistry {
    /// The member name under which a callable object registers its call (`m(x)`).
    public static let callMember = "__call__"

    static var groups: [(title: String, builtins: [Builtin])] {
        [
            ("General", generalBuiltins + jsonBuiltins + textFileBuiltins),
            ("Tensors", tensorBuiltins),
            ("Views", viewBuiltins + plotBuiltins),
            ("Models", modelBuiltins + summaryBuiltins + exportBuiltins),
            ("Data", dataBuiltins + reidDataBuiltins),
            ("Loss terms", lossTermBuiltins + girdBuiltins),
            ("Training", trainingBuiltins + reidBuiltins),
        ]
    }

    /// Every builtin function, method and property, grouped as in `groups`.
    public static let all: [Builtin] = groups.flatMap(\.builtins)

    /// The titles of the groups and their builtins, for docs and `:help`.
    public static var sections: [(title: String, builtins: [Builtin])] { groups }

    /// The global functions, by the index the resolver gives their names.
    static let functions: [Builtin] = all.filter { $0.receiverType == nil }
    static let functionIndex: [String: Int] = {
        var index: [String: Int] = [:]
        for (i, builtin) in functions.enumerated() {
            precondition(index[builtin.name] == nil, "builtin '\(builtin.name)' registered twice")
            index[builtin.name] = i
        }
        return index
    }()
    private static let memberIndex: [String: [String: Builtin]] = {
        var index: [String: [String: Builtin]] = [:]
        for builtin in all {
            guard let type = builtin.receiverType else { continue }
            precondition(index[type]?[builtin.name] == nil, "member '\(type).\(builtin.name)' registered twice")
            index[type, default: [:]][builtin.name] = builtin
        }
        return index
    }()

    /// The global function called `name`.
    public static func function(named name: String) -> Builtin? {
        functionIndex[name].map { functions[$0] }
    }

    /// The methods and properties of a type (`tensor`, `model`, `dataset`, ...), by name.
    public static func members(of type: String) -> [Builtin] {
        (memberIndex[type] ?? [:]).values.sorted { $0.name < $1.name }
    }

    public static func member(_ name: String, of type: String) -> Builtin? {
        memberIndex[type]?[name]
    }

    /// The variable a doc uses for a receiver of `type`.
    public static func receiverVariable(_ type: String) -> String {
        switch type {
        case "tensor": return "t"
        case "model": return "m"
        case "dataset": return "d"
        case "run": return "r"
        case "loss term": return "term"
        default: return String(type.prefix(1))
        }
    }

    /// The reference table (markdown) of every builtin, one section per group.
    public static func markdownTable() -> String {
        var text = ""
        for section in sections where !section.builtins.isEmpty {
            text += "### \(section.title)\n\n| builtin | does |\n|---|---|\n"
            for builtin in section.builtins {
                let usage = builtin.usage.replacingBars()
                text += "| `\(usage)` | \(builtin.doc.replacingBars()) |\n"
            }
            text += "\n"
        }
        return text
    }
}

extension String {
    fileprivate func replacingBars() -> String {
        var out = ""
        for character in self { if character == "|" { out += "\\|" } else { out.append(character) } }
        return out
    }
}
