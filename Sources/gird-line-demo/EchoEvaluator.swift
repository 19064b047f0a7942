import Foundation
import GirdREPL

/// Statements are split as the REPL reads them (`InputAccumulator`), then:
/// - `NAME = TEXT` binds NAME to TEXT (silently);
/// - a bound NAME (or `_`) prints its text;
/// - `loop` runs until Ctrl-C, checking `Interrupt` every 10 ms;
/// - `hang` runs forever without a safe point (only Ctrl-C three times ends it);
/// - `fail` is an error;
/// - anything else prints `echo: ` and the statement, lines joined by ` | `.
/// `_` is bound to the last printed value. Tab completes a few builtins,
/// the bindings, the members of `model.` and paths in strings.
final class EchoEvaluator: ReplEvaluator {
    private var bindings: [String: String] = [:]
    private let scanner = BracketScanner()
    private static let builtins = ["print", "train", "model", "models", "heatmap", "show"]

    func status(of source: String) -> CompletenessStatus { scanner.status(of: source) }

    func completions(line: String, cursor: Int) -> Completion {
        ReplCompleter(
            names: { EchoEvaluator.builtins + Array(self.bindings.keys) },
            members: { $0 == "model" ? ["features", "params", "taps"] : [] }
        ).completions(line: line, cursor: cursor)
    }

    func evaluate(source: String) -> ReplOutcome {
        var printed: [String] = []
        for statement in InputAccumulator.statements(of: source, checker: scanner) {
            switch run(statement) {
            case let .value(text):
                printed.append(text)
                bindings["_"] = text
            case .silent:
                break
            case let .failure(text):
                if !printed.isEmpty { print(printed.joined(separator: "\n")) }
                return .failure(text)
            case .interrupted:
                return .interrupted
            }
        }
        return printed.isEmpty ? .silent : .value(printed.joined(separator: "\n"))
    }

    private func run(_ statement: String) -> ReplOutcome {
        let text = statement.trimmingCharacters(in: .whitespaces)
        if text == "loop" {
            print("looping")
            while true {
                do { try Interrupt.check() } catch { return .interrupted }
                usleep(10_000)
            }
        }
        if text == "hang" {
            print("hanging")
            while true { usleep(10_000) }
        }
        if text == "fail" { return .failure("<repl>:1:1: error: demo failure\n    fail\n    ^~~~") }
        if !text.contains("\n"), let equals = text.firstIndex(of: "="),
           case let name = text[..<equals].trimmingCharacters(in: .whitespaces),
           !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            bindings[name] = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            return .silent
        }
        if let value = bindings[text] { return .value(value) }
        return .value("echo: " + text.split(separator: "\n").joined(separator: " | "))
    }

    func describeType(of source: String) -> ReplOutcome {
        bindings[source] != nil ? .value("string") : .failure("error: unknown name '\(source)'")
    }

    func load(path: String) -> ReplOutcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure("error: cannot read \(path)")
        }
        return evaluate(source: String(decoding: data, as: UTF8.self))
    }

    func help(topic: String?) -> String? {
        guard let topic else { return "builtins: " + EchoEvaluator.builtins.joined(separator: " ") }
        return EchoEvaluator.builtins.contains(topic) ? "\(topic): a demo builtin" : nil
    }

    func reset() { bindings = [:] }
}
