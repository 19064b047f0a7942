import GirdDistill
import GirdRun
import GirdTensor

/// A loss term a recipe built, e.g. `kd(T: 2, weight: 0.9)`: the catalog's
/// entry, every argument resolved and checked (once, at the call), the
/// weight, and the method built from them. The first run that uses the term
/// takes that method; a term used again (a sweep) builds a fresh one, since
/// methods keep per-run state (memory banks, connectors).
public final class LossTermObject: RecipeObject {
    public let entry: MethodEntry
    public let arguments: MethodArguments
    public let weight: Double
    private var unused: DistillationMethod?

    init(entry: MethodEntry, given: [String: MethodArgument], weight: Double) throws {
        guard weight >= 0, weight.isFinite else {
            throw BuiltinFailure("\(entry.name)(): weight must be zero or more, got \(Value.format(weight))")
        }
        self.entry = entry
        self.arguments = try entry.resolve(given)
        self.weight = weight
        unused = try entry.make(arguments)   // every configuration error now, at the call
    }

    public var typeName: String { "loss term" }

    public var summary: String {
        let given = entry.parameters.compactMap { parameter -> String? in
            guard let value = arguments.values[parameter.name], value != parameter.defaultValue else { return nil }
            return "\(parameter.name): \(value)"
        }
        return "<loss term \(entry.name)(\(given.joined(separator: ", "))), weight \(Value.format(weight))>"
    }

    public func field(_ name: String) -> Value? {
        switch name {
        case "name": return .string(entry.name)
        case "weight": return .float(weight)
        default: return arguments.values[name].map(Value.init)
        }
    }

    /// The method with its weight, for one run.
    func takeTerm() throws -> DistillationTerm {
        defer { unused = nil }
        return DistillationTerm(try unused ?? entry.make(arguments), weight: Float(weight))
    }

    /// As a run's `run.json` records it: every argument.
    var specification: LossTermSpecification { LossTermSpecification(weight: weight, resolved: arguments) }
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
                for parameter in entry.parameters {
                    let value = arguments[parameter.name]
                    guard let argument = value.methodArgument else {
                        throw BuiltinFailure("\(entry.name)(): argument '\(parameter.name)' cannot be a \(value.typeName)")
                    }
                    given[parameter.name] = argument
                }
                return .object(try LossTermObject(entry: entry, given: given, weight: try arguments.double("weight")))
            }
        } + [
            Builtin("term", "name, *, weight: 1.0, params: {}", doc: "the loss term called name, with its parameters in a record: term(\"kd\", params: {T: 2})") { arguments in
                let entry = try MethodCatalog.entry(named: try arguments.string("name"))
                var given: [String: MethodArgument] = [:]
                let params = try arguments.record("params")
                for (key, value) in zip(params.keys, params.values) {
                    guard let argument = value.methodArgument else {
                        throw BuiltinFailure("term(): parameter '\(key)' cannot be a \(value.typeName)")
                    }
                    given[key] = argument
                }
                return .object(try LossTermObject(entry: entry, given: given, weight: try arguments.double("weight")))
            },
            Builtin("methods", "", doc: "the names of every loss term, in the docs' order") { _ in
                .list(MethodCatalog.names.map { .string($0) })
            },
            Builtin("method_info", "name", doc: "a method's summary, published weight and parameter defaults, as a record") { arguments in
                let entry = try MethodCatalog.entry(named: try arguments.string("name"))
                return .record(Record([
                    ("name", .string(entry.name)), ("summary", .string(entry.summary)),
                    ("weight", .float(Double(String(entry.publishedWeight)) ?? Double(entry.publishedWeight))),
                    ("params", .record(Record(entry.parameters.map { ($0.name, Value($0.defaultValue)) }))),
                ]))
            },
            Builtin("kd_loss", "student_logits, teacher_logits, *, T: 4", doc: "Hinton's KD loss: batch-mean KL of softened logits, times T² (differentiable)") { arguments in
                let temperature = try arguments.double("T")
                guard temperature > 0 else { throw BuiltinFailure("kd_loss(): T must be positive, got \(Value.format(temperature))") }
                return .tensor(try KnowledgeDistillation.loss(student: try arguments.tensor("student_logits"),
                                                              teacher: try arguments.tensor("teacher_logits"),
                                                              temperature: Float(temperature)))
            },
        ]
    }
}
