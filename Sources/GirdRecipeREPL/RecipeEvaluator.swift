import Foundation
import GirdRecipe
import GirdREPL

/// The recipe interpreter behind GirdREPL's protocols: one persistent
/// `Interpreter` for the session, each entry compiled against the same
/// globals (a name may be defined again, as at any REPL), `_` bound to the
/// value of the last expression, errors formatted as in files with `<repl>`
/// for the file name.
public final class RecipeEvaluator: ReplEvaluator {
    public private(set) var interpreter: Interpreter
    /// For `:reset`: a fresh interpreter gets the same options.
    private let options: InterpreterOptions

    public init(interpreter: Interpreter) {
        self.interpreter = interpreter
        self.options = interpreter.context.options
        interpreter.allowsRedefinition = true
    }

    // MARK: Running

    public func evaluate(source: String) -> ReplOutcome {
        outcome(of: SourceFile(name: "<repl>", text: source)) { value in
            switch value {
            case .none, .unset:
                return .silent
            default:
                interpreter.bind("_", to: value)
                return .value(value.repr)
            }
        }
    }

    public func describeType(of source: String) -> ReplOutcome {
        outcome(of: SourceFile(name: "<repl>", text: source)) { value in
            if case .tensor(let tensor) = value {
                return .value("tensor \(tensor.shape) \(tensor.dtype)")
            }
            return .value(value.typeName)
        }
    }

    public func load(path: String) -> ReplOutcome {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure("error: cannot read '\(path)'")
        }
        let directory = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
        let file = SourceFile(name: path, text: String(decoding: data, as: UTF8.self), directory: directory)
        return outcome(of: file) { _ in .silent }
    }

    public func reset() {
        interpreter = Interpreter(options: options)
        interpreter.allowsRedefinition = true
    }

    /// Runs `file` in the session; an error becomes its text, Ctrl-C
    /// `.interrupted` (with a training run's own message, which says how to
    /// resume).
    private func outcome(of file: SourceFile, _ report: (Value) -> ReplOutcome) -> ReplOutcome {
        do {
            return report(try interpreter.runEntry(file))
        } catch let error as RecipeError {
            if error.isInterrupt {
                return .interrupted(detail: error.message == "interrupted" ? nil : error.message)
            }
            var text = error.description
            while text.hasSuffix("\n") { text.removeLast() }
            return .failure(text)
        } catch {
            return .failure("error: \(error)")
        }
    }

    // MARK: Reading and completing

    public func status(of source: String) -> CompletenessStatus {
        switch InputStatus(of: source) {
        case .complete: return .complete
        case .incomplete: return .incomplete
        case .invalid: return .error
        }
    }

    public func completions(line: String, cursor: Int) -> Completion {
        let interpreter = self.interpreter
        if let taps = MemberCompletion.taps(line: line, cursor: cursor, in: interpreter) { return taps }
        return ReplCompleter(
            names: { interpreter.visibleNames },
            members: { MemberCompletion.members(of: $0, in: interpreter) }
        ).completions(line: line, cursor: cursor)
    }

    public func help(topic: String?) -> String? {
        guard let topic else { return BuiltinHelp.overview }
        return BuiltinHelp.describe(topic)
    }
}
