import Foundation
import GirdREPL

/// The least a `ReplEvaluator` can be: `hang` runs forever without a safe
/// point (only Ctrl-C three times ends it); anything else is printed back
/// as `echo: ` and the statement. Everything a real evaluator does is
/// tested on gird-repl itself.
final class EchoEvaluator: ReplEvaluator {
    private let scanner = BracketScanner()

    func status(of source: String) -> CompletenessStatus { scanner.status(of: source) }

    func completions(line: String, cursor: Int) -> Completion { .none }

    func evaluate(source: String) -> ReplOutcome {
        let text = source.trimmingCharacters(in: .whitespacesAndNewlines)
        if text == "hang" {
            print("hanging")
            while true { usleep(10_000) }
        }
        return .value("echo: " + text)
    }

    func describeType(of source: String) -> ReplOutcome { .value("text") }

    func load(path: String) -> ReplOutcome { .failure("error: the demo loads nothing") }

    func help(topic: String?) -> String? { nil }

    func reset() {}
}
