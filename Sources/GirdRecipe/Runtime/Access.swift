import GirdNN
import GirdTensor
import GirdSuggestions

/// Reading parts of values: `a[i]`, `a[i:j]`, `a.name`. Negative indices
/// count from the end, as in Python; slices clamp.
enum Access {
    static func normalize(_ index: Int64, count: Int, what: String, _ span: SourceSpan) throws -> Int {
        let i = index < 0 ? index + Int64(count) : index
        guard i >= 0 && i < Int64(count) else {
            throw RecipeError("\(what) index \(index) out of range (\(what == "string" ? "length" : "size") \(count))", at: span)
        }
        return Int(i)
    }

    static func index(_ base: Value, _ index: Value, _ span: SourceSpan) throws -> Value {
        switch (base, index) {
        case let (.list(items), .int(i)):
            return items[try normalize(i, count: items.count, what: "list", span)]
        case let (.string(text), .int(i)):
            let characters = Array(text)
            return .string(String(characters[try normalize(i, count: characters.count, what: "string", span)]))
        case let (.record(record), .string(key)):
            guard let value = record[key] else { throw Access.noField(key, in: record, span) }
            return value
        case let (.tensor(t), .int(i)):
            guard t.rank > 0 else { throw RecipeError("cannot index a scalar tensor (shape [])", at: span) }
            let row = try normalize(i, count: t.shape[0], what: "tensor", span)
            return try Operators.engine(span) { try t.narrowed(axis: 0, start: row, length: 1).squeezed(axis: 0) }
        case (.list, _), (.string, _), (.tensor, _):
            throw RecipeError("\(base.typeName) index must be an int, got \(index.typeName)", at: span)
        case (.record, _):
            throw RecipeError("record key must be a string, got \(index.typeName)", at: span)
        default:
            throw RecipeError("a \(base.typeName) cannot be indexed", at: span)
        }
    }

    static func bounds(_ start: Value, _ end: Value, count: Int, _ span: SourceSpan) throws -> Range<Int> {
        func bound(_ value: Value, _ fallback: Int) throws -> Int {
            switch value {
            case .none: return fallback
            case .int(let i):
                let j = i < 0 ? i + Int64(count) : i
                return Int(min(max(j, 0), Int64(count)))
            default: throw RecipeError("slice bounds must be ints, got \(value.typeName)", at: span)
            }
        }
        let lower = try bound(start, 0), upper = try bound(end, count)
        return lower..<max(lower, upper)
    }

    static func slice(_ base: Value, _ start: Value, _ end: Value, _ span: SourceSpan) throws -> Value {
        switch base {
        case .list(let items):
            return .list(Array(items[try bounds(start, end, count: items.count, span)]))
        case .string(let text):
            let characters = Array(text)
            return .string(String(characters[try bounds(start, end, count: characters.count, span)]))
        case .tensor(let t):
            guard t.rank > 0 else { throw RecipeError("cannot slice a scalar tensor (shape [])", at: span) }
            let range = try bounds(start, end, count: t.shape[0], span)
            return try Operators.engine(span) { try t.narrowed(axis: 0, start: range.lowerBound, length: range.count) }
        default:
            throw RecipeError("a \(base.typeName) cannot be sliced", at: span)
        }
    }

    static func member(_ base: Value, _ name: String, _ span: SourceSpan, _ context: InterpreterContext) throws -> Value {
        if case .record(let record) = base {
            if let value = record[name] { return value }
            throw Access.noField(name, in: record, span)
        }
        if let member = BuiltinRegistry.member(name, of: base.typeName) {
            switch member.kind {
            case .property:
                let arguments = BuiltinArguments(builtin: member, values: [], rest: [], receiver: base, context: context, span: span)
                return try Calls.run(member, arguments, span: span)
            case .method, .function:
                return .builtin(BoundBuiltin(member, receiver: base))
            }
        }
        if case .object(let object) = base, let value = object.field(name) { return value }
        let known = BuiltinRegistry.members(of: base.typeName).map(\.name).filter { $0 != BuiltinRegistry.callMember }
        var message = "a \(base.typeName) has no member '\(name)'"
        if let suggestion = NameSuggestions.best(for: name, among: known) {
            message += "; did you mean '\(suggestion)'?"
        }
        throw RecipeError(message, at: span)
    }

    static func noField(_ name: String, in record: Record, _ span: SourceSpan) -> RecipeError {
        var message = "the record has no field '\(name)'"
        if let suggestion = NameSuggestions.best(for: name, among: record.keys) {
            message += "; did you mean '\(suggestion)'?"
        } else if record.count <= 12 {
            message += " (its fields: \(record.keys.joined(separator: ", ")))"
        }
        return RecipeError(message, at: span)
    }
}
