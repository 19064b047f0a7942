/// Collects the lines of one statement at the prompt: `>>> ` for the first
/// line, `... ` while the statement is unfinished.
public struct InputAccumulator {
    public static let primaryPrompt = ">>> "
    public static let continuationPrompt = "... "

    public enum Result: Equatable {
        /// Unfinished: read another line.
        case needsMore
        /// A whole statement (its lines joined with newlines), to evaluate.
        case complete(String)
        /// Wrong whatever follows: evaluate it so that the error is reported.
        case invalid(String)
    }

    private let checker: CompletenessChecker
    public private(set) var lines: [String] = []

    public init(checker: CompletenessChecker = BracketScanner()) {
        self.checker = checker
    }

    public var isEmpty: Bool { lines.isEmpty }
    public var prompt: String { lines.isEmpty ? InputAccumulator.primaryPrompt : InputAccumulator.continuationPrompt }

    public mutating func add(_ line: String) -> Result {
        lines.append(line)
        let source = lines.joined(separator: "\n")
        switch checker.status(of: source) {
        case .incomplete:
            return .needsMore
        case .complete:
            lines = []
            return .complete(source)
        case .error:
            lines = []
            return .invalid(source)
        }
    }

    /// Drops the unfinished statement (Ctrl-C on a `... ` line).
    public mutating func reset() {
        lines = []
    }

    /// Splits a whole program into statements as the REPL would have read
    /// them line by line (what a piped program or `:load` evaluates one by one).
    public static func statements(of source: String, checker: CompletenessChecker = BracketScanner()) -> [String] {
        var accumulator = InputAccumulator(checker: checker)
        var statements: [String] = []
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if accumulator.isEmpty && line.allSatisfy(\.isWhitespace) { continue }
            switch accumulator.add(String(line)) {
            case .needsMore: continue
            case let .complete(statement), let .invalid(statement): statements.append(statement)
            }
        }
        // An unfinished last statement is still run, so that its error is reported.
        var rest = accumulator.lines
        while rest.last?.allSatisfy(\.isWhitespace) == true { rest.removeLast() }
        if !rest.isEmpty { statements.append(rest.joined(separator: "\n")) }
        return statements
    }
}
