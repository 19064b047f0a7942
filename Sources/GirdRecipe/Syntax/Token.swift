/// The kinds of token the lexer produces.
enum TokenKind: Equatable {
    case identifier
    case int(Int64)
    case float(Double)
    /// A string literal; the token's `parts` hold its text and interpolations.
    case string
    case newline
    case endOfFile
    // Keywords.
    case kwParam, kwLet, kwVar, kwFn, kwIf, kwElse, kwFor, kwIn, kwWhile, kwBreak, kwContinue
    case kwReturn, kwImport, kwAssert, kwAnd, kwOr, kwNot, kwTrue, kwFalse, kwNone
    // Punctuation and operators.
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, colon, semicolon, dot
    case plus, minus, star, starStar, slash, slashSlash, percent, at
    case equal, equalEqual, bangEqual, less, lessEqual, greater, greaterEqual

    static let keywords: [String: TokenKind] = [
        "param": .kwParam, "let": .kwLet, "var": .kwVar, "fn": .kwFn, "if": .kwIf, "else": .kwElse,
        "for": .kwFor, "in": .kwIn, "while": .kwWhile, "break": .kwBreak, "continue": .kwContinue,
        "return": .kwReturn, "import": .kwImport, "assert": .kwAssert, "and": .kwAnd, "or": .kwOr,
        "not": .kwNot, "true": .kwTrue, "false": .kwFalse, "none": .kwNone,
    ]
}

/// A piece of a string literal: text (escapes decoded), or the tokens of an
/// interpolation `\( ... )`, ended by an end-of-input token.
enum StringPart {
    case text(String)
    case code(tokens: [Token], span: SourceSpan)
}

struct Token {
    let kind: TokenKind
    /// The text as written (identifiers, operators); for strings, the raw literal.
    let text: String
    let span: SourceSpan
    /// The decoded pieces of a string literal.
    var parts: [StringPart] = []

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .newline: return "end of line"
        case .endOfFile: return "end of input"
        case .string: return "a string"
        default: return "'\(text)'"
        }
    }
}
