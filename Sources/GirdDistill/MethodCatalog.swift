import GirdNN
import GirdTensor

/// A hyper-parameter value as a front end (the recipe language) passes it.
public enum MethodArgument: Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case strings([String])
    case bool(Bool)
    /// "Use the method's default" (the default of a parameter whose default
    /// depends on the networks, such as taps).
    case none

    public var description: String {
        switch self {
        case let .number(value): return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
        case let .string(value): return "\"\(value)\""
        case let .strings(values): return "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        case let .bool(value): return value ? "true" : "false"
        case .none: return "none"
        }
    }
}

/// The arguments of one method, checked against its entry's parameters.
public struct MethodArguments {
    public let method: String
    private let values: [String: MethodArgument]

    init(method: String, values: [String: MethodArgument]) {
        self.method = method
        self.values = values
    }

    public func number(_ name: String) throws -> Double {
        guard case let .number(value)? = values[name] else { throw wrongType(name, "a number") }
        return value
    }

    public func float(_ name: String) throws -> Float { Float(try number(name)) }

    public func integer(_ name: String) throws -> Int {
        let value = try number(name)
        guard value == value.rounded(), abs(value) < 1e15 else { throw wrongType(name, "a whole number") }
        return Int(value)
    }

    public func string(_ name: String) throws -> String {
        guard case let .string(value)? = values[name] else { throw wrongType(name, "a string") }
        return value
    }

    public func bool(_ name: String) throws -> Bool {
        guard case let .bool(value)? = values[name] else { throw wrongType(name, "true or false") }
        return value
    }

    /// A list of tap names, or nil for the method's default taps.
    public func taps(_ name: String) throws -> [String]? {
        switch values[name] {
        case .none?, nil: return nil
        case let .strings(list)?: return list
        case let .string(single)?: return [single]
        default: throw wrongType(name, "a list of tap names")
        }
    }

    private func wrongType(_ name: String, _ expected: String) -> DistillationError {
        .invalidConfiguration("\(method): \(name) must be \(expected), got \(values[name]?.description ?? "nothing")")
    }
}

/// One loss term a front end can name: its parameters with their defaults
/// (the published ones) and a factory. The recipe language's loss-term
/// builtins (`kd(T: 4)`, `gird(bank: 4096)`), `:help` and the docs read
/// this table, so they cannot disagree.
public struct MethodEntry {
    public struct Parameter {
        public let name: String
        public let defaultValue: MethodArgument
        public let summary: String

        public init(_ name: String, _ defaultValue: MethodArgument, _ summary: String) {
            self.name = name
            self.defaultValue = defaultValue
            self.summary = summary
        }
    }

    public let name: String
    /// One line: the method and its paper.
    public let summary: String
    public let parameters: [Parameter]
    /// The term's weight in the published setting (RepDistiller's or mdistiller's).
    public let publishedWeight: Float
    let make: (MethodArguments) throws -> DistillationMethod

    public init(name: String, summary: String, parameters: [Parameter], publishedWeight: Float,
                make: @escaping (MethodArguments) throws -> DistillationMethod) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.publishedWeight = publishedWeight
        self.make = make
    }

    /// Builds the method; `arguments` override the defaults. An unknown
    /// parameter is an error that suggests the closest known one.
    public func make(_ arguments: [String: MethodArgument] = [:]) throws -> DistillationMethod {
        let known = parameters.map(\.name)
        for name in arguments.keys.sorted() where !known.contains(name) {
            let suggestions = NameSuggestions.closest(to: name, among: known)
            let hint = suggestions.isEmpty ? "; it takes " + (known.isEmpty ? "no parameters" : known.joined(separator: ", "))
                : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            throw DistillationError.invalidConfiguration("\(self.name): unknown parameter '\(name)'\(hint)")
        }
        var values: [String: MethodArgument] = [:]
        for parameter in parameters { values[parameter.name] = arguments[parameter.name] ?? parameter.defaultValue }
        return try make(MethodArguments(method: name, values: values))
    }
}

/// Every loss term by name, in the order the docs list them.
public enum MethodCatalog {
    public static var entries: [MethodEntry] { coreEntries + [girdEntry] + baselineEntries }

    public static var names: [String] { entries.map(\.name) }

    public static func entry(named name: String) throws -> MethodEntry {
        if let entry = entries.first(where: { $0.name == name }) { return entry }
        let suggestions = NameSuggestions.closest(to: name, among: names)
        let hint = suggestions.isEmpty ? "; known: " + names.joined(separator: ", ")
            : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
        throw DistillationError.invalidConfiguration("unknown distillation method '\(name)'\(hint)")
    }

    static let coreEntries: [MethodEntry] = [
        MethodEntry(name: "ce", summary: "cross-entropy of the student's logits with the labels",
                    parameters: [.init("label_smoothing", .number(0), "label smoothing in [0, 1)")],
                    publishedWeight: 1) { arguments in
            try CrossEntropyTerm(labelSmoothing: arguments.float("label_smoothing"))
        },
        MethodEntry(name: "kd", summary: "Hinton et al. 2015: KL divergence of softened logits, times T^2",
                    parameters: [.init("T", .number(4), "temperature")],
                    publishedWeight: 0.9) { arguments in
            try KnowledgeDistillation(temperature: arguments.float("T"))
        },
    ]
}
