/// Whether the text typed so far is a whole statement (run it), the start
/// of one (show the `... ` prompt and read on), or wrong in a way more text
/// cannot fix (run it anyway, so that the parser reports the error with its
/// caret, as in files). The recipe parser implements this; `BracketScanner`
/// is the fallback that needs no parser.
public enum CompletenessStatus: Equatable {
    case complete
    case incomplete
    case error
}

public protocol CompletenessChecker {
    func status(of source: String) -> CompletenessStatus
}

/// Completeness from the lexical structure alone, following the language's
/// rule that newlines end statements except inside `( )`, `[ ]`, `{ }` and
/// after a binary operator or a comma:
/// - an unclosed bracket, brace or string interpolation → incomplete;
/// - a last line ending in an operator, `,`, `.`, `=` or one of the words
///   `and or not in else` → incomplete;
/// - a closing bracket that does not match, or a string still open at the
///   end of its line (strings do not span lines) → error.
/// Strings (with `\` escapes and `\( )` interpolation) and `#` comments are
/// skipped, so `"("` or `# (` open nothing.
public struct BracketScanner: CompletenessChecker {
    public init() {}

    private enum Frame: Equatable {
        case bracket(Character)  // the closing character expected
        case string
        case interpolation
    }

    private static let closers: [Character: Character] = ["(": ")", "[": "]", "{": "}"]
    private static let continuingOperators: Set<Character> = ["+", "-", "*", "/", "%", "@", "=", "<", ">", ",", "."]
    private static let continuingWords: Set<String> = ["and", "or", "not", "in", "else"]

    public func status(of source: String) -> CompletenessStatus {
        var stack: [Frame] = []
        // The source outside strings and comments, to find what its last
        // non-blank line ends with.
        var lastCode = ""
        var characters = Array(source)
        characters.append("\n")
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            if stack.last == .string {
                switch character {
                case "\\":
                    if index < characters.count, characters[index] == "(" { stack.append(.interpolation) }
                    index += 1
                case "\"":
                    stack.removeLast()
                    lastCode.append("0")  // a string is an operand
                case "\n":
                    return .error
                default:
                    break
                }
                continue
            }
            switch character {
            case "#":
                while index < characters.count, characters[index] != "\n" { index += 1 }
            case "\"":
                stack.append(.string)
            case "(", "[", "{":
                stack.append(.bracket(BracketScanner.closers[character]!))
                lastCode.append(character)
            case ")", "]", "}":
                if stack.last == .bracket(character) || (character == ")" && stack.last == .interpolation) {
                    stack.removeLast()
                } else {
                    return .error
                }
                lastCode.append(character)
            default:
                lastCode.append(character)
            }
        }
        if !stack.isEmpty { return .incomplete }
        return endsInContinuation(lastCode) ? .incomplete : .complete
    }

    private func endsInContinuation(_ code: String) -> Bool {
        let trimmed = code.reversed().drop { $0.isWhitespace }
        guard let last = trimmed.first else { return false }
        if BracketScanner.continuingOperators.contains(last) { return true }
        let word = String(trimmed.prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
        return BracketScanner.continuingWords.contains(word)
    }
}
