import GirdRecipe

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

    /// Reading a field is only a lookup; a property of an engine object
    /// could compute, so it is not followed.
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
            return registered(object.typeName) + fields
        default:
            return []
        }
    }

    private static func registered(_ type: String) -> [String] {
        BuiltinRegistry.members(of: type).map(\.name).filter { $0 != BuiltinRegistry.callMember }
    }
}
