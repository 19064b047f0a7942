import GirdNN

/// `target = value`, where the target is a variable, possibly followed by
/// indices and fields (`rs[0].a[1] = 5`). Lists and records are values, so
/// an update takes the root out of its slot first: the arrays underneath
/// are then uniquely referenced and change in place, not copied.
extension Compiler {
    enum PathStep {
        case index(Eval, SourceSpan)
        case member(String, SourceSpan)
    }

    enum PathKey {
        case index(Value, SourceSpan)
        case member(String, SourceSpan)

        var span: SourceSpan {
            switch self {
            case .index(_, let span), .member(_, let span): return span
            }
        }
    }

    func compileAssignment(_ target: Expr, value: Expr) throws -> Eval {
        var steps: [PathStep] = []
        var root = target
        while true {
            if case let .index(base, index) = root.kind {
                steps.append(.index(try compileExpression(index), index.span))
                root = base
            } else if case let .member(base, name, nameSpan) = root.kind {
                steps.append(.member(name, nameSpan))
                root = base
            } else {
                break
            }
        }
        steps.reverse()
        // The resolver checked that the root is a variable one may assign to.
        guard case .name(let use) = root.kind else { fatalError("an assignment to an unresolved target") }
        let name = use.name
        let valueCode = try compileExpression(value)
        let read: (Frame) -> UnsafeMutablePointer<Value>
        let globals = self.globals
        switch use.slot {
        case .local(let slot): read = { f in f.slots + slot }
        case .enclosing(let depth, let slot): read = { f in f.ancestor(depth).slots + slot }
        case .global(let slot): read = { _ in globals.slots + slot }
        case .builtin, .unresolved: fatalError("'\(name)' is not a variable")
        }
        if steps.isEmpty, case let .binary(.add, left, right) = value.kind, case .name(let leftUse) = left.kind, leftUse.name == name {
            // `xs = xs + [x]` and `s = s + "x"` append in place: the old
            // value leaves its slot first, so its storage is not shared.
            // (The closures capture spans, never the syntax: see CallCompiler.)
            let span = value.span, leftSpan = left.span
            if case .list(let elements) = right.kind {
                // `xs = xs + [a, b]`: the new elements go straight to the end.
                let codes = try elements.map(compileExpression)
                return { f in
                    let pointer = read(f)
                    if case .list = pointer.pointee {
                        var fresh: [Value] = []
                        fresh.reserveCapacity(codes.count)
                        for code in codes { fresh.append(try code(f)) }
                        guard case .list(var items) = pointer.pointee else { return .none }
                        pointer.pointee = .none
                        if items.count + fresh.count > Operators.maximumElements {
                            pointer.pointee = .list(items)
                            throw RecipeError("list too long", at: span)
                        }
                        items.append(contentsOf: fresh)
                        pointer.pointee = .list(items)
                        return .none
                    }
                    let current = pointer.pointee
                    if case .unset = current { throw Compiler.usedBeforeDefinition(name, leftSpan) }
                    var fresh: [Value] = []
                    for code in codes { fresh.append(try code(f)) }
                    pointer.pointee = try Operators.binary(.add, current, .list(fresh), span)
                    return .none
                }
            }
            let rightCode = try compileExpression(right)
            return { f in
                let addition = try rightCode(f)
                let pointer = read(f)
                var current = pointer.pointee
                if case .unset = current { throw Compiler.usedBeforeDefinition(name, leftSpan) }
                pointer.pointee = .none
                if case .list(let more) = addition, case .list(var items) = current {
                    current = .none
                    guard items.count + more.count <= Operators.maximumElements else {
                        pointer.pointee = .list(items)
                        throw RecipeError("list too long", at: span)
                    }
                    items.append(contentsOf: more)
                    pointer.pointee = .list(items)
                } else if case .string(let more) = addition, case .string(var text) = current {
                    current = .none
                    text += more
                    pointer.pointee = .string(text)
                } else {
                    pointer.pointee = current
                    pointer.pointee = try Operators.binary(.add, current, addition, span)
                }
                return .none
            }
        }
        if steps.isEmpty {
            if case .local(let slot) = use.slot {
                return { f in f.slots[slot] = try valueCode(f); return .none }
            }
            return { f in read(f).pointee = try valueCode(f); return .none }
        }
        return { f in
            let newValue = try valueCode(f)
            let keys: [PathKey] = try steps.map { step in
                switch step {
                case .index(let code, let span): return .index(try code(f), span)
                case .member(let name, let span): return .member(name, span)
                }
            }
            let pointer = read(f)
            // Take the value out so that its array is uniquely referenced and
            // changes in place; put it back whatever happens.
            var rootValue = pointer.pointee
            pointer.pointee = .none
            defer { pointer.pointee = rootValue }
            try Compiler.update(&rootValue, keys[...], newValue)
            return .none
        }
    }

    static func update(_ value: inout Value, _ keys: ArraySlice<PathKey>, _ newValue: Value) throws {
        let key = keys.first!
        let rest = keys.dropFirst()
        var fieldName: String?
        if case .member(let name, _) = key { fieldName = name }
        if case .index(.string(let name), _) = key { fieldName = name }
        if let name = fieldName, case .record(var record) = value {
            // The record leaves `value` so that its arrays change in place.
            value = .none
            defer { value = .record(record) }
            if rest.isEmpty {
                record[name] = newValue
            } else {
                guard let i = record.index(of: name) else { throw Access.noField(name, in: record, key.span) }
                var field = record.values[i]
                record.set(at: i, .none)
                defer { record.set(at: i, field) }
                try update(&field, rest, newValue)
            }
            return
        }
        if case .index(.int(let index), let span) = key, case .list(var items) = value {
            let i = index < 0 ? Int(index) + items.count : Int(index)
            guard i >= 0 && i < items.count else {
                throw RecipeError("list index \(index) out of range (size \(items.count))", at: span)
            }
            value = .none
            defer { value = .list(items) }
            if rest.isEmpty {
                items[i] = newValue
            } else {
                var element = items[i]
                items[i] = .none
                defer { items[i] = element }
                try update(&element, rest, newValue)
            }
            return
        }
        switch (key, value) {
        case let (.index(index, span), .list):
            throw RecipeError("list index must be an int, got \(index.typeName)", at: span)
        case let (.index(index, span), .record):
            throw RecipeError("record key must be a string, got \(index.typeName)", at: span)
        case let (.member(name, span), _):
            throw RecipeError("cannot set the field '\(name)' of a \(value.typeName)", at: span)
        case let (.index(_, span), _):
            throw RecipeError("cannot assign to an element of a \(value.typeName)", at: span)
        }
    }
}
