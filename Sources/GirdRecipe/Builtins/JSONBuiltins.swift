import Foundation
import GirdRun
import GirdTensor

/// `exists`, `read_json` and `write_json`: a recipe keeps its own records
/// (a sweep's results, a study's finished runs carried to another machine)
/// and reads them back.
extension BuiltinRegistry {
    static var jsonBuiltins: [Builtin] {
        [
            Builtin("exists", "path", doc: "whether a file or folder exists at path") { arguments in
                .bool(FileManager.default.fileExists(atPath: try arguments.string("path")))
            },
            Builtin("read_json", "path",
                    doc: "a JSON file as a value: objects as records (fields in the file's order), floats exactly as written, arrays as lists, numbers as int or float as written, null as none") { arguments in
                let path = try arguments.string("path")
                let root: JSONNode
                do {
                    root = try JSONReader.parse(contentsOf: path)
                } catch let error as WeightFileError {
                    throw BuiltinFailure("read_json(): \(error)")
                }
                return try JSONValues.value(of: root, path: path)
            },
            Builtin("write_json", "value, path",
                    doc: "writes a value (none, bools, numbers, strings, lists and records of them) as a JSON file, atomically, record fields in their order; a dry run writes nothing") { arguments in
                let path = try arguments.writablePath("path")
                let text = try JSONValues.text(of: arguments["value"], at: "the value")
                if arguments.context.isDryRun { return .none }
                let folder = (path as NSString).deletingLastPathComponent
                if !folder.isEmpty {
                    do {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    } catch {
                        throw BuiltinFailure("write_json(): cannot create the folder \(folder) for \(path)")
                    }
                }
                try RunDirectory.writeAtomically(Data((text + "\n").utf8), to: path)
                return .none
            },
        ]
    }
}

/// Between recipe values and JSON text. Reading is GirdTensor's strict
/// `JSONReader` (members in file order, numbers as written). Writing is by
/// hand, in a few lines, because Foundation's JSONSerialization loses a
/// record's field order and writes the float 1.0 as `1`, which would read
/// back as an int.
enum JSONValues {
    /// A number with a fraction or an exponent is a float (correctly rounded
    /// by `Double(String)`), any other an int.
    static func value(of node: JSONNode, path: String) throws -> Value {
        switch node.value {
        case .null: return .none
        case .bool(let flag): return .bool(flag)
        case .string(let text): return .string(text)
        case .number(let text):
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let integer = Int64(text) { return .int(integer) }
            guard let x = Double(text), x.isFinite else {
                throw BuiltinFailure("read_json(): \(path): offset \(node.offset): the number \(text) is out of range")
            }
            return .float(x)
        case .array(let items): return .list(try items.map { try value(of: $0, path: path) })
        case .object(let members):
            return .record(Record(try members.map { ($0.key, try value(of: $0.value, path: path)) }))
        }
    }

    /// `value` as JSON; `place` says where it sits, for the error.
    static func text(of value: Value, at place: String) throws -> String {
        switch value {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let x):
            guard x.isFinite else { throw BuiltinFailure("write_json(): \(place) is \(x), which JSON cannot hold") }
            return "\(x)"  // the shortest text that reads back exactly; always with a '.' or an exponent
        case .string(let s): return jsonQuoted(s)
        case .list(let items):
            return "[" + (try items.enumerated().map { try text(of: $1, at: "\(place)[\($0)]") }).joined(separator: ", ") + "]"
        case .record(let record):
            let fields = try zip(record.keys, record.values).map { key, field in
                jsonQuoted(key) + ": " + (try text(of: field, at: "\(place).\(key)"))
            }
            return "{" + fields.joined(separator: ", ") + "}"
        default:
            throw BuiltinFailure("write_json(): \(place) is a \(value.typeName), which JSON cannot hold")
        }
    }
}
