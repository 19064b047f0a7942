import GirdNN
import GirdSuggestions

/// One loss term a front end can name: its parameters with their defaults
/// (the published ones) and allowed values, its published weight, and a
/// factory. Each method declares its own entry next to its code
/// (`KnowledgeDistillation.catalogEntry`); `MethodCatalog` only lists them.
/// The recipe language's loss-term builtins (`kd(T: 4)`), `:help` and the
/// docs read these entries, so they cannot disagree.
public struct MethodEntry: Sendable {
    public struct Parameter: Sendable {
        public let name: String
        public let defaultValue: MethodArgument
        public let summary: String
        /// The values it takes, checked before the method is made.
        public let allowed: Allowed

        public init(_ name: String, _ defaultValue: MethodArgument, _ summary: String, _ allowed: Allowed = .any) {
            self.name = name
            self.defaultValue = defaultValue
            self.summary = summary
            self.allowed = allowed
        }
    }

    /// What a parameter accepts beyond its type; the entry checks it, so a
    /// bad value is refused when the term is named, not at the first step.
    public enum Allowed: Sendable {
        case any
        /// A whole number in `0...max` (a size: a bank, a dimension, a count).
        /// Sizes are bounded by 2^31 − 1 by default: OpenBLAS and oneDNN take
        /// matrix dimensions as 32-bit ints.
        case count(min: Int, max: Int)

        public static let size = Allowed.count(min: 0, max: Int(Int32.max))
        public static let positiveSize = Allowed.count(min: 1, max: Int(Int32.max))
    }

    public let name: String
    /// One line: the method and its paper.
    public let summary: String
    public let parameters: [Parameter]
    /// The term's weight in the published setting (RepDistiller's or mdistiller's).
    public let publishedWeight: Float
    private let factory: @Sendable (MethodArguments) throws -> DistillationMethod

    public init(name: String, summary: String, parameters: [Parameter], publishedWeight: Float,
                make: @escaping @Sendable (MethodArguments) throws -> DistillationMethod) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.publishedWeight = publishedWeight
        self.factory = make
    }

    /// Every parameter's value: `given` over the defaults, each checked
    /// against its parameter. An unknown parameter is an error that suggests
    /// the closest known one. This complete set is what a run records.
    public func resolve(_ given: [String: MethodArgument] = [:]) throws -> MethodArguments {
        let known = parameters.map(\.name)
        for name in given.keys.sorted() where !known.contains(name) {
            let suggestions = NameSuggestions.closest(to: name, among: known)
            let hint = suggestions.isEmpty ? "; it takes " + (known.isEmpty ? "no parameters" : known.joined(separator: ", "))
                : "; did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            throw DistillationError.invalidConfiguration("\(self.name): unknown parameter '\(name)'\(hint)")
        }
        var values: [String: MethodArgument] = [:]
        for parameter in parameters {
            let value = given[parameter.name] ?? parameter.defaultValue
            try check(value, against: parameter)
            values[parameter.name] = value
        }
        return MethodArguments(method: name, values: values)
    }

    /// Builds the method from `given` over the defaults (see `resolve`).
    public func make(_ given: [String: MethodArgument] = [:]) throws -> DistillationMethod {
        try make(resolve(given))
    }

    /// Builds the method from arguments `resolve` returned.
    public func make(_ arguments: MethodArguments) throws -> DistillationMethod {
        try factory(arguments)
    }

    private func check(_ value: MethodArgument, against parameter: Parameter) throws {
        guard case let .count(min, max) = parameter.allowed else { return }
        guard case let .number(number) = value, number == number.rounded(), number >= Double(min), number <= Double(max) else {
            let why = max == Int(Int32.max) ? " (matrix sizes are 32-bit ints in OpenBLAS and oneDNN)" : ""
            throw DistillationError.invalidConfiguration(
                "\(name): \(parameter.name) must be a whole number from \(min) to \(max)\(why), got \(value)")
        }
    }
}

/// The arguments of one method, complete (every parameter has a value) and
/// checked against its entry's parameters.
public struct MethodArguments: Equatable, Sendable {
    public let method: String
    public let values: [String: MethodArgument]

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

    /// One of a few named settings (`sim_loss: "kl"`), by the setting's raw value.
    public func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, as type: Choice.Type) throws -> Choice
    where Choice.RawValue == String {
        let text = try string(name)
        guard let value = Choice(rawValue: text) else {
            let choices = Choice.allCases.map { "\"\($0.rawValue)\"" }
            let listed = choices.count > 1 ? choices.dropLast().joined(separator: ", ") + " or " + choices.last! : choices.joined()
            throw DistillationError.invalidConfiguration("\(method): unknown \(name) '\(text)'; expected \(listed)")
        }
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

    /// One tap name, or nil for the method's default.
    public func singleTap(_ name: String) throws -> String? {
        guard let taps = try taps(name) else { return nil }
        guard taps.count == 1 else {
            throw DistillationError.invalidConfiguration("\(method): \(name) names one layer, got \(taps.count)")
        }
        return taps[0]
    }

    private func wrongType(_ name: String, _ expected: String) -> DistillationError {
        .invalidConfiguration("\(method): \(name) must be \(expected), got \(values[name]?.description ?? "nothing")")
    }
}
