import Foundation

/// A run's directory: besides the trainer's files (metrics, checkpoints),
/// everything needed to run it again with nothing else: the recipe and its
/// imports as they were, the resolved params, the command line, and
/// `run.json` (what `resume` reads).
enum RunDirectory {
    /// `runs/NAME-YYYYMMDD-HHMMSS` (NAME: the recipe's file name, or `repl`),
    /// with `-2`, `-3`... when two runs start within a second.
    static func defaultPath(recipe: String?) -> String {
        let name = recipe.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "repl"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let base = "runs/\(name)-\(formatter.string(from: Date()))"
        var path = base, counter = 2
        while FileManager.default.fileExists(atPath: path) {
            path = "\(base)-\(counter)"
            counter += 1
        }
        return path
    }

    /// Writes `recipe/` (the main file and every import, under their names
    /// relative to the main file's folder, or their file names), `params.json`
    /// and `command.txt`.
    static func writeProvenance(to directory: String, context: InterpreterContext) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: directory + "/recipe", withIntermediateDirectories: true)
        for source in context.loadedSources {
            // Code from -e, a pipe or the REPL has a name like `<-e>`, not a file name.
            let name = source.path.hasPrefix("<") ? "inline.recipe" : URL(fileURLWithPath: source.path).lastPathComponent
            try writeAtomically(Data(source.text.utf8), to: directory + "/recipe/" + name)
        }
        var params = "{\n"
        params += context.resolvedParameters.map { "  \(Value.quote($0.name)): \(jsonLiteral($0.value))" }.joined(separator: ",\n")
        params += "\n}\n"
        try writeAtomically(Data(params.utf8), to: directory + "/params.json")
        let command = context.options.commandLine.map(shellQuoted).joined(separator: " ") + "\n"
        try writeAtomically(Data(command.utf8), to: directory + "/command.txt")
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

    /// Temp file and rename: a reader never sees half a file.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw BuiltinFailure("\(path): cannot write (is the folder writable?)")
        }
        if rename(temporary, path) != 0 {
            unlink(temporary)
            throw BuiltinFailure("\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}
