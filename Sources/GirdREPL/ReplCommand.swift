import GirdSuggestions
/// The REPL's own commands, typed at the prompt with a leading `:`.
/// A command may be shortened to any prefix that names only it (`:q`).
public enum ReplCommand: Equatable {
    /// `:help` (the commands and builtins) or `:help NAME` (one builtin's doc).
    case help(topic: String?)
    /// `:type EXPR`: the type of EXPR's value.
    case type(expression: String)
    /// `:time EXPR`: evaluates EXPR and reports the wall-clock and CPU time.
    case time(expression: String)
    /// `:load FILE`: runs a recipe file in this session, keeping its bindings.
    case load(path: String)
    /// `:reset`: forgets every binding.
    case reset
    /// `:quit`: leaves, as Ctrl-D does.
    case quit

    /// Every command with its one-line doc, in the order `:help` lists them.
    public static let all: [(name: String, usage: String, doc: String)] = [
        ("help", ":help [name]", "list the commands and builtins, or show one builtin's doc"),
        ("type", ":type EXPR", "show the type of EXPR's value"),
        ("time", ":time EXPR", "evaluate EXPR and show how long it took (wall and CPU)"),
        ("load", ":load FILE", "run a recipe file here, keeping its bindings"),
        ("reset", ":reset", "forget every binding"),
        ("quit", ":quit", "leave (as Ctrl-D does)"),
    ]

    public static var names: [String] { all.map(\.name) }

    /// Whether `line` is meant as a command rather than recipe code.
    public static func isCommand(_ line: String) -> Bool {
        line.drop { $0 == " " || $0 == "\t" }.first == ":"
    }

    public static func parse(_ line: String) throws -> ReplCommand {
        var text = Substring(line).drop { $0.isWhitespace }
        guard text.first == ":" else { throw ReplCommandError.notACommand }
        text = text.dropFirst()
        let word = String(text.prefix { !$0.isWhitespace })
        let argument = text.dropFirst(word.count).trimmingWhitespace()
        let name = try resolve(word)
        switch name {
        case "help":
            return .help(topic: argument.isEmpty ? nil : argument)
        case "type", "time":
            guard !argument.isEmpty else { throw ReplCommandError.missingArgument(command: name, argument: "an expression") }
            return name == "type" ? .type(expression: argument) : .time(expression: argument)
        case "load":
            guard !argument.isEmpty else { throw ReplCommandError.missingArgument(command: name, argument: "a file") }
            return .load(path: unquoted(argument))
        default:
            guard argument.isEmpty else { throw ReplCommandError.unexpectedArgument(command: name) }
            return name == "reset" ? .reset : .quit
        }
    }

    /// `:h`, `:he`, `:help` all name `help`; `:t` could be `time` or `type`.
    private static func resolve(_ word: String) throws -> String {
        if names.contains(word) { return word }
        let matches = word.isEmpty ? [] : names.filter { $0.hasPrefix(word) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw ReplCommandError.ambiguous(word, candidates: matches) }
        throw ReplCommandError.unknown(word, suggestion: NameSuggestions.best(for: word, among: names))
    }

    /// `:load "a b.recipe"` and `:load a.recipe` both work.
    private static func unquoted(_ text: String) -> String {
        if text.count >= 2, text.first == "\"", text.last == "\"" { return String(text.dropFirst().dropLast()) }
        return text
    }

    /// Tab after a `:word` at the start of the line: the commands it begins.
    public static func completions(of typed: String) -> [String] {
        guard typed.first == ":" else { return [] }
        let prefix = typed.dropFirst()
        return names.filter { $0.hasPrefix(prefix) }.map { ":" + $0 }
    }

    /// What `:help` prints before the evaluator's list of builtins.
    public static var helpText: String {
        let width = all.map(\.usage.count).max()!
        return all.map { $0.usage.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.doc }
            .joined(separator: "\n")
    }
}

public enum ReplCommandError: Error, Equatable, CustomStringConvertible {
    case notACommand
    case unknown(String, suggestion: String?)
    case ambiguous(String, candidates: [String])
    case missingArgument(command: String, argument: String)
    case unexpectedArgument(command: String)

    public var description: String {
        switch self {
        case .notACommand:
            return "commands start with ':'"
        case let .unknown(word, suggestion):
            let known = "; known commands: " + ReplCommand.names.map { ":" + $0 }.joined(separator: " ")
            return "unknown command ':\(word)'" + (suggestion.map { "; did you mean ':\($0)'?" } ?? known)
        case let .ambiguous(word, candidates):
            return "':\(word)' could be " + candidates.map { "':\($0)'" }.joined(separator: " or ")
        case let .missingArgument(command, argument):
            return ":\(command) needs \(argument)"
        case let .unexpectedArgument(command):
            return ":\(command) takes no argument"
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
