import GirdDistill
import GirdTensor

/// A loss term a recipe built, e.g. `kd(T: 2, weight: 0.9)`: the catalog's
/// entry, the arguments given and the weight. Methods keep state (memory
/// banks, connectors), so every run builds fresh ones from this description.
public final class LossTermObject: RecipeObject {
    public let entry: MethodEntry
    public let arguments: [String: MethodArgument]
    public let weight: Double

    init(entry: MethodEntry, arguments: [String: MethodArgument], weight: Double) {
        self.entry = entry
        self.arguments = arguments
        self.weight = weight
    }

    public var typeName: String { "loss term" }

    public var summary: String {
        let given = arguments.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        return "<loss term \(entry.name)(\(given)), weight \(Value.format(weight))>"
    }

    public func field(_ name: String) -> Value? {
        switch name {
        case "name": return .string(entry.name)
        case "weight": return .float(weight)
        default:
            guard entry.parameters.contains(where: { $0.name == name }) else { return nil }
            return Value(arguments[name] ?? entry.parameters.first { $0.name == name }!.defaultValue)
        }
    }

    /// A fresh method with its weight, for one run.
    public func makeTerm() throws -> DistillationTerm {
        DistillationTerm(try entry.make(arguments), weight: Float(weight))
    }

    /// As saved in a run directory's `run.json`.
    var description: LossTermDescription {
        LossTermDescription(name: entry.name, weight: weight, arguments: arguments.mapValues(LossTermDescription.Argument.init))
    }
}

/// A loss term in `run.json`, enough to build it again on `resume`.
struct LossTermDescription: Codable, Equatable {
    enum Argument: Codable, Equatable {
        case number(Double), string(String), strings([String]), bool(Bool), none

        init(_ argument: MethodArgument) {
            switch argument {
            case let .number(value): self = .number(value)
            case let .string(value): self = .string(value)
            case let .strings(values): self = .strings(values)
            case let .bool(value): self = .bool(value)
            case .none: self = .none
            }
        }

        var methodArgument: MethodArgument {
            switch self {
            case let .number(value): return .number(value)
            case let .string(value): return .string(value)
            case let .strings(values): return .strings(values)
            case let .bool(value): return .bool(value)
            case .none: return .none
            }
        }
    }

    var name: String
    var weight: Double
    var arguments: [String: Argument]

    func object() throws -> LossTermObject {
        LossTermObject(entry: try MethodCatalog.entry(named: name), arguments: arguments.mapValues(\.methodArgument), weight: weight)
    }
}

extension Value {
    /// A catalog argument as a recipe value.
    init(_ argument: MethodArgument) {
        switch argument {
        case let .number(value): self = value == value.rounded() && abs(value) < 1e15 ? .int(Int64(value)) : .float(value)
        case let .string(value): self = .string(value)
        case let .strings(values): self = .list(values.map { .string($0) })
        case let .bool(value): self = .bool(value)
        case .none: self = .none
        }
    }

    /// A recipe value as a catalog argument; nil for a value no method takes.
    var methodArgument: MethodArgument? {
        switch self {
        case let .int(value): return .number(Double(value))
        case let .float(value): return .number(value)
        case let .string(value): return .string(value)
        case let .bool(value): return .bool(value)
        case .none: return MethodArgument.none
        case let .list(items):
            var names: [String] = []
            for item in items {
                guard case let .string(name) = item else { return nil }
                names.append(name)
            }
            return .strings(names)
        default: return nil
        }
    }
}

extension BuiltinRegistry {
    /// One builtin per method of the catalog (`kd(T: 4, weight: 1.0)`), its
    /// signature made from the catalog's parameters so that the two agree,
    /// and `term(name, ...)`, `methods()`, `method_info(name)`.
    static var lossTermBuiltins: [Builtin] {
        MethodCatalog.entries.map { entry in
            let parameters = entry.parameters.map { "\($0.name): \(Value($0.defaultValue).repr)" }
            let signature = (["*", "weight: 1.0"] + parameters).joined(separator: ", ")
            return Builtin(entry.name, signature, doc: "loss term: \(entry.summary)") { arguments in
                var given: [String: MethodArgument] = [:]
                for (index, parameter) in entry.parameters.enumerated() {
                    let value = arguments[index + 1]
                    guard let argument = value.methodArgument else {
                        throw BuiltinFailure("\(entry.name)(): argument '\(parameter.name)' cannot be a \(value.typeName)")
                    }
                    if argument != parameter.defaultValue { given[parameter.name] = argument }
                }
                let object = LossTermObject(entry: entry, arguments: given, weight: try arguments.double(0))
                try checkWeight(object.weight, method: entry.name)
                _ = try object.makeTerm()   // every configuration error now, at the call
                return .object(object)
            }
        } + [
            Builtin("term", "name, *, weight: 1.0, params: {}", doc: "the loss term called name, with its parameters in a record: term(\"kd\", params: {T: 2})") { arguments in
                let entry = try MethodCatalog.entry(named: try arguments.string(0))
                var given: [String: MethodArgument] = [:]
                let params = try arguments.record(2)
                for (key, value) in zip(params.keys, params.values) {
                    guard let argument = value.methodArgument else {
                        throw BuiltinFailure("term(): parameter '\(key)' cannot be a \(value.typeName)")
                    }
                    given[key] = argument
                }
                let object = LossTermObject(entry: entry, arguments: given, weight: try arguments.double(1))
                try checkWeight(object.weight, method: entry.name)
                _ = try object.makeTerm()
                return .object(object)
            },
            Builtin("methods", "", doc: "the names of every loss term, in the docs' order") { _ in
                .list(MethodCatalog.names.map { .string($0) })
            },
            Builtin("method_info", "name", doc: "a method's summary, published weight and parameter defaults, as a record") { arguments in
                let entry = try MethodCatalog.entry(named: try arguments.string(0))
                return .record(Record([
                    ("name", .string(entry.name)), ("summary", .string(entry.summary)),
                    ("weight", .float(Double(String(entry.publishedWeight)) ?? Double(entry.publishedWeight))),
                    ("params", .record(Record(entry.parameters.map { ($0.name, Value($0.defaultValue)) }))),
                ]))
            },
            Builtin("kd_loss", "student_logits, teacher_logits, *, T: 4", doc: "Hinton's KD loss: batch-mean KL of softened logits, times T² (differentiable)") { arguments in
                let temperature = try arguments.double(2)
                guard temperature > 0 else { throw BuiltinFailure("kd_loss(): T must be positive, got \(Value.format(temperature))") }
                return .tensor(try KnowledgeDistillation.loss(student: try arguments.tensor(0), teacher: try arguments.tensor(1),
                                                              temperature: Float(temperature)))
            },
        ]
    }

    private static func checkWeight(_ weight: Double, method: String) throws {
        guard weight >= 0, weight.isFinite else {
            throw BuiltinFailure("\(method)(): weight must be zero or more, got \(Value.format(weight))")
        }
    }
}
