import GirdRecipe
import GirdREPL
import GirdSuggestions

/// `:help` from the builtin table, the same one that checks arguments, so
/// the help can never disagree with what a call accepts.
enum BuiltinHelp {
    /// `:help` alone: each section's builtins by name.
    static var overview: String {
        var lines: [String] = ["", "builtins (:help NAME for one):"]
        for section in BuiltinRegistry.sections where !section.builtins.isEmpty {
            let names = section.builtins.map(overviewName)
            lines.append(wrap("\(section.title.lowercased()): ", names))
        }
        return lines.joined(separator: "\n")
    }

    /// How the overview names a builtin: `print`, `t.mean`, and a callable
    /// object's call as it is written, `m(x)`.
    static func overviewName(_ builtin: Builtin) -> String {
        guard let type = builtin.receiverType else { return builtin.name }
        let variable = BuiltinRegistry.receiverVariable(type)
        guard builtin.name == BuiltinRegistry.callMember else { return "\(variable).\(builtin.name)" }
        let required = builtin.signature.parameters.filter { !$0.keywordOnly && $0.defaultValue == nil }.map(\.name)
        return "\(variable)(\(required.joined(separator: ", ")))"
    }

    /// `:help NAME`: a function, the members of that name (`mean` is
    /// `t.mean()`), or every member of a type (`:help tensor`).
    static func describe(_ topic: String) -> String {
        var name = topic
        var type: String?
        if let dot = topic.firstIndex(of: ".") {
            // `:help t.mean`, `:help tensor.mean`: the member of that type.
            type = typeName(String(topic[..<dot]))
            name = String(topic[topic.index(after: dot)...])
        }
        var found: [Builtin] = []
        if type == nil, let function = BuiltinRegistry.function(named: name) { found.append(function) }
        found += BuiltinRegistry.all.filter { $0.receiverType != nil && $0.name == name && (type == nil || $0.receiverType == type) }
        if found.isEmpty, type == nil, let asType = typeName(name) {
            found = BuiltinRegistry.members(of: asType)
        }
        if found.isEmpty {
            let known = Array(Set(BuiltinRegistry.all.map(\.name))).sorted()
            return "no builtin named '\(topic)'" + (NameSuggestions.best(for: name, among: known).map { "; did you mean '\($0)'?" } ?? "")
        }
        return found.map { "\($0.usage)\n    \($0.doc)" }.joined(separator: "\n")
    }

    /// The receiver type a word names: a type (`tensor`) or the variable the
    /// docs use for it (`t`, `m`, `d`).
    private static func typeName(_ word: String) -> String? {
        let types = Set(BuiltinRegistry.all.compactMap(\.receiverType))
        if types.contains(word) { return word }
        return types.first { BuiltinRegistry.receiverVariable($0) == word }
    }

    /// `title: a b c ...` folded at 80 columns under the first name.
    private static func wrap(_ title: String, _ names: [String]) -> String {
        var lines: [String] = []
        var line = title
        let indent = String(repeating: " ", count: title.count)
        for name in names {
            if line.count + name.count + 1 > 80, line != title && line != indent {
                lines.append(line)
                line = indent
            }
            line += (line == title || line == indent ? "" : " ") + name
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
