import Foundation
import GirdRecipe
import GirdREPL

/// What Tab offers after `receiver.`: found from the values already bound,
/// never by running code (no call is made, no model built). `receiver` is
/// a name, possibly followed by field names (`run.history`); a record
/// offers its fields, a tensor or an engine object the members registered
/// for its type (`BuiltinRegistry.members(of:)`), a model also its
/// `name` and `classes` fields.
enum MemberCompletion {
    static func members(of receiver: String, in interpreter: Interpreter) -> [String] {
        let path = receiver.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = path.first, var value = interpreter.globalValue(named: first) else { return [] }
        for field in path.dropFirst() {
            guard let next = fieldValue(of: value, named: field) else { return [] }
            value = next
        }
        return names(of: value)
    }

    /// A record's field and an engine object's stored field are lookups; a
    /// registered property (`t.grad`, `d.classes`) is a builtin that could
    /// compute, so completion does not go through it.
    private static func fieldValue(of value: Value, named name: String) -> Value? {
        switch value {
        case .record(let record): return record[name]
        case .object(let object): return object.field(name)
        default: return nil
        }
    }

    private static func names(of value: Value) -> [String] {
        switch value {
        case .record(let record):
            return record.keys
        case .tensor:
            return registered("tensor")
        case .object(let object):
            let fields = ["name", "classes", "count"].filter { object.field($0) != nil }
            // A model's taps are strings for `tap:`, not members: they are
            // offered inside those strings (`taps(line:cursor:in:)`).
            return registered(object.typeName) + fields
        default:
            return []
        }
    }

    /// Inside the string after `tap: "` or in `taps: ["...`: the tap names
    /// of the models bound in the session (a list each network keeps; no
    /// forward pass), so `relations(t, s, d, tap: "st<Tab>` offers `stage1`...
    static func taps(line: String, cursor: Int, in interpreter: Interpreter) -> Completion? {
        let bytes = Array(line.utf8.prefix(cursor))
        guard let quote = bytes.lastIndex(of: UInt8(ascii: "\"")) else { return nil }
        let typed = String(decoding: bytes[(quote + 1)...], as: UTF8.self)
        let before = String(decoding: bytes[..<quote], as: UTF8.self)
        let context = before.replacingOccurrences(of: " ", with: "")
        guard context.hasSuffix("tap:") || context.range(of: #"taps:\[[^\]]*$"#, options: .regularExpression) != nil,
              PathCompletion.openString(in: line, cursor: cursor) != nil else { return nil }
        var names = Set<String>()
        for name in interpreter.visibleNames {
            if case .object(let object)? = interpreter.globalValue(named: name), let model = object as? ModelObject {
                names.formUnion(model.network.tapNames)
            }
        }
        guard !names.isEmpty else { return nil }
        return Completion(replaceFrom: cursor - typed.utf8.count, candidates: names.filter { $0.hasPrefix(typed) }.sorted())
    }

    private static func registered(_ type: String) -> [String] {
        BuiltinRegistry.members(of: type).map(\.name).filter { $0 != BuiltinRegistry.callMember }
    }
}

