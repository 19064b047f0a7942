/// A hyper-parameter value as a front end passes it and as a run's
/// `run.json` stores it: a plain JSON value (a number, a string, a list of
/// strings, a bool, or null for "the method's default", such as default
/// taps). Encoded as that JSON value itself; the first format of `run.json`
/// wrote Swift's keyed form (`{"number": {"_0": 2}}`), which still decodes.
public enum MethodArgument: Equatable, Sendable, Codable, CustomStringConvertible {
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

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .number(value): try container.encode(value)
        case let .string(value): try container.encode(value)
        case let .strings(values): try container.encode(values)
        case let .bool(value): try container.encode(value)
        case .none: try container.encodeNil()
        }
    }

    public init(from decoder: Decoder) throws {
        if let container = try? decoder.singleValueContainer() {
            if container.decodeNil() { self = .none; return }
            // Bool before Double: Foundation's decoder reads JSON true as 1.
            if let value = try? container.decode(Bool.self) { self = .bool(value); return }
            if let value = try? container.decode(Double.self) { self = .number(value); return }
            if let value = try? container.decode(String.self) { self = .string(value); return }
            if let values = try? container.decode([String].self) { self = .strings(values); return }
        }
        self = try LegacyForm(from: decoder).argument
    }

    /// `run.json` version 1's spelling: `{"number": {"_0": 2}}`, `{"none": {}}`.
    private enum LegacyForm: Decodable {
        case number(Double), string(String), strings([String]), bool(Bool), none

        var argument: MethodArgument {
            switch self {
            case let .number(value): return .number(value)
            case let .string(value): return .string(value)
            case let .strings(values): return .strings(values)
            case let .bool(value): return .bool(value)
            case .none: return .none
            }
        }
    }
}
