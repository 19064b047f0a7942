import Foundation

/// What a recipe run adds to its run directory so that it can be run again
/// with nothing else: `recipe/` (the main file and every import, under their
/// file names), `params.json` (the resolved params) and `command.txt`.
enum RunProvenance {
    static func files(context: InterpreterContext) -> [(path: String, contents: Data)] {
        var files: [(path: String, contents: Data)] = context.loadedSources.map { source in
            // Code from -e, a pipe or the REPL has a name like `<-e>`, not a file name.
            let name = source.path.hasPrefix("<") ? "inline.recipe" : URL(fileURLWithPath: source.path).lastPathComponent
            return ("recipe/" + name, Data(source.text.utf8))
        }
        var params = "{\n"
        params += context.resolvedParameters.map { "  \(Value.quote($0.name)): \(jsonLiteral($0.value))" }.joined(separator: ",\n")
        params += "\n}\n"
        files.append(("params.json", Data(params.utf8)))
        files.append(("command.txt", Data((context.options.commandLine.map(shellQuoted).joined(separator: " ") + "\n").utf8)))
        return files
    }

    /// A recipe value as JSON (params are literals: numbers, strings, bools, lists, records).
    static func jsonLiteral(_ value: Value) -> String {
        switch value {
        case .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let x): return x.isFinite ? Value.format(x) : Value.quote(Value.format(x))
        case .string(let s): return Value.quote(s)
        case .list(let items): return "[" + items.map(jsonLiteral).joined(separator: ", ") + "]"
        case .record(let record):
            return "{" + zip(record.keys, record.values).map { "\(Value.quote($0)): \(jsonLiteral($1))" }.joined(separator: ", ") + "}"
        default: return Value.quote(value.repr)
        }
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@".contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
