import GirdSuggestions
/// One of a few words a builtin takes (`split: "train"`, `dtype: "int64"`,
/// `optimizer: "adamW"`): matched without regard to case, as users coming
/// from PyTorch type them (`"adamw"`, `"Cosine"`), and a near miss suggests
/// the closest. Every builtin that takes such a word reads it here, so that
/// all of them accept and refuse alike.
enum BuiltinChoice {
    /// The spelling `choices` gives for `text`. The refusal names the
    /// builtin and the parameter: `split(): ...`, or the parameter alone
    /// when `builtin` is nil.
    static func match(_ text: String, among choices: [String], parameter: String, builtin: String?) throws -> String {
        if choices.contains(text) { return text }
        let lowered = text.lowercased()
        if let match = choices.first(where: { $0.lowercased() == lowered }) { return match }
        let quoted = choices.map(Value.quote)
        let listed = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
        var message = (builtin.map { "\($0)(): " } ?? "") + "\(parameter) must be \(listed), got \(Value.quote(text))"
        if let suggestion = NameSuggestions.best(for: text, among: choices) {
            message += "; did you mean \(Value.quote(suggestion))?"
        }
        throw BuiltinFailure(message)
    }
}

extension BuiltinArguments {
    /// The argument called `name`, one of `choices` (`BuiltinChoice`).
    func choice(_ name: String, among choices: [String]) throws -> String {
        try BuiltinChoice.match(try string(name), among: choices, parameter: name, builtin: builtin.name)
    }
}
