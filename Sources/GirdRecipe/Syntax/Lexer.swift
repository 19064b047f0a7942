/// Turns recipe text into tokens. Newlines are tokens; the parser decides
/// where they end a statement. A string literal carries its pieces, with the
/// code of each interpolation already lexed.
struct Lexer {
    let file: SourceFile
    private let bytes: [UInt8]
    private var position: Int
    private var line: Int
    private var column: Int

    init(file: SourceFile) {
        self.file = file
        self.bytes = file.text
        self.position = 0
        self.line = 1
        self.column = 1
    }

    static func tokens(of file: SourceFile) throws -> [Token] {
        var lexer = Lexer(file: file)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .endOfFile { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> UInt8 {
        position + ahead < bytes.count ? bytes[position + ahead] : 0
    }

    private mutating func advance() {
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private func span(fromLine: Int, column: Int, to endColumn: Int) -> SourceSpan {
        SourceSpan(file: file, line: fromLine, column: column, length: endColumn - column)
    }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b == 95
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    mutating func next() throws -> Token {
        // Blanks and comments.
        while position < bytes.count {
            let b = bytes[position]
            if b == 32 || b == 9 || b == 13 {
                advance()
            } else if b == UInt8(ascii: "#") {
                while position < bytes.count && bytes[position] != 10 { advance() }
            } else if b == UInt8(ascii: "\\") && peek(1) == 10 {
                advance(); advance()    // an explicit line continuation
            } else {
                break
            }
        }
        let startLine = line, startColumn = column, start = position
        guard position < bytes.count else {
            return Token(kind: .endOfFile, text: "", span: span(fromLine: line, column: column, to: column + 1))
        }
        let b = bytes[position]
        func make(_ kind: TokenKind, _ count: Int) -> Token {
            for _ in 0..<count { advance() }
            return Token(kind: kind, text: String(decoding: bytes[start..<position], as: UTF8.self),
                         span: span(fromLine: startLine, column: startColumn, to: column))
        }
        if b == 10 { return make(.newline, 1) }
        if Lexer.isIdentifierStart(b) {
            while position < bytes.count && (Lexer.isIdentifierStart(bytes[position]) || Lexer.isDigit(bytes[position])) {
                advance()
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            return Token(kind: TokenKind.keywords[text] ?? .identifier, text: text,
                         span: span(fromLine: startLine, column: startColumn, to: column))
        }
        if Lexer.isDigit(b) { return try number(startLine: startLine, startColumn: startColumn) }
        if b == UInt8(ascii: "\"") { return try string(startLine: startLine, startColumn: startColumn) }
        let next = peek(1)
        switch b {
        case UInt8(ascii: "("): return make(.leftParen, 1)
        case UInt8(ascii: ")"): return make(.rightParen, 1)
        case UInt8(ascii: "["): return make(.leftBracket, 1)
        case UInt8(ascii: "]"): return make(.rightBracket, 1)
        case UInt8(ascii: "{"): return make(.leftBrace, 1)
        case UInt8(ascii: "}"): return make(.rightBrace, 1)
        case UInt8(ascii: ","): return make(.comma, 1)
        case UInt8(ascii: ":"): return make(.colon, 1)
        case UInt8(ascii: ";"): return make(.semicolon, 1)
        case UInt8(ascii: "."): return make(.dot, 1)
        case UInt8(ascii: "+"): return make(.plus, 1)
        case UInt8(ascii: "-"): return make(.minus, 1)
        case UInt8(ascii: "%"): return make(.percent, 1)
        case UInt8(ascii: "@"): return make(.at, 1)
        case UInt8(ascii: "*"): return next == UInt8(ascii: "*") ? make(.starStar, 2) : make(.star, 1)
        case UInt8(ascii: "/"): return next == UInt8(ascii: "/") ? make(.slashSlash, 2) : make(.slash, 1)
        case UInt8(ascii: "="): return next == UInt8(ascii: "=") ? make(.equalEqual, 2) : make(.equal, 1)
        case UInt8(ascii: "<"): return next == UInt8(ascii: "=") ? make(.lessEqual, 2) : make(.less, 1)
        case UInt8(ascii: ">"): return next == UInt8(ascii: "=") ? make(.greaterEqual, 2) : make(.greater, 1)
        case UInt8(ascii: "!") where next == UInt8(ascii: "="): return make(.bangEqual, 2)
        default:
            // Quote the whole character, even when it takes several bytes.
            var end = position + 1
            while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
            let character = String(decoding: bytes[position..<end], as: UTF8.self)
            let shown = b < 32 || b == 127 ? "\\u{\(String(b, radix: 16))}" : character
            throw RecipeError("unexpected character '\(shown)'", at: span(fromLine: startLine, column: startColumn, to: startColumn + 1))
        }
    }

    private mutating func number(startLine: Int, startColumn: Int) throws -> Token {
        let start = position
        var isFloat = false
        func digits(_ lexer: inout Lexer) {
            while lexer.position < lexer.bytes.count
                    && (Lexer.isDigit(lexer.bytes[lexer.position]) || lexer.bytes[lexer.position] == 95) {
                lexer.advance()
            }
        }
        digits(&self)
        if peek() == UInt8(ascii: ".") && Lexer.isDigit(peek(1)) {
            isFloat = true
            advance()
            digits(&self)
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let sign = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-")
            if Lexer.isDigit(peek(sign ? 2 : 1)) {
                isFloat = true
                advance()
                if sign { advance() }
                digits(&self)
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        let where_ = span(fromLine: startLine, column: startColumn, to: column)
        if position < bytes.count && Lexer.isIdentifierStart(bytes[position]) {
            throw RecipeError("invalid number '\(text)\(Character(Unicode.Scalar(bytes[position])))'", at: where_)
        }
        let clean = String(text.filter { $0 != "_" })
        if isFloat {
            guard let value = Double(clean) else { throw RecipeError("invalid number '\(text)'", at: where_) }
            return Token(kind: .float(value), text: text, span: where_)
        }
        guard let value = Int64(clean) else {
            throw RecipeError("integer literal '\(text)' is too large (the largest int is \(Int64.max))", at: where_)
        }
        return Token(kind: .int(value), text: text, span: where_)
    }

    private mutating func string(startLine: Int, startColumn: Int) throws -> Token {
        let start = position
        advance()    // the opening quote
        var parts: [StringPart] = []
        var current: [UInt8] = []
        func unterminated(_ lexer: Lexer) -> RecipeError {
            let rest = lexer.file.line(startLine).count - startColumn + 1
            return RecipeError("unterminated string", at: SourceSpan(file: lexer.file, line: startLine, column: startColumn, length: rest))
        }
        while true {
            guard position < bytes.count, bytes[position] != 10 else { throw unterminated(self) }
            let b = bytes[position]
            if b == UInt8(ascii: "\"") { advance(); break }
            if b != UInt8(ascii: "\\") { current.append(b); advance(); continue }
            let escapeLine = line, escapeColumn = column
            advance()
            guard position < bytes.count, bytes[position] != 10 else { throw unterminated(self) }
            let e = bytes[position]
            switch e {
            case UInt8(ascii: "n"): current.append(10); advance()
            case UInt8(ascii: "t"): current.append(9); advance()
            case UInt8(ascii: "r"): current.append(13); advance()
            case UInt8(ascii: "0"): current.append(0); advance()
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): current.append(e); advance()
            case UInt8(ascii: "("):
                advance()
                if !current.isEmpty { parts.append(.text(String(decoding: current, as: UTF8.self))); current = [] }
                let codeSpan = SourceSpan(file: file, line: escapeLine, column: escapeColumn, length: 2)
                var tokens: [Token] = []
                var depth = 0
                while true {
                    let token = try next()
                    switch token.kind {
                    case .endOfFile, .newline: throw unterminated(self)
                    case .leftParen: depth += 1
                    case .rightParen: depth -= 1
                    default: break
                    }
                    if depth < 0 {
                        tokens.append(Token(kind: .endOfFile, text: "", span: token.span))
                        break
                    }
                    tokens.append(token)
                }
                parts.append(.code(tokens: tokens, span: codeSpan))
            default:
                var end = position + 1
                while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
                let shown = String(decoding: bytes[position..<end], as: UTF8.self)
                throw RecipeError("unknown escape '\\\(shown)' in a string", at: SourceSpan(file: file, line: escapeLine, column: escapeColumn, length: 2))
            }
        }
        if !current.isEmpty || parts.isEmpty { parts.append(.text(String(decoding: current, as: UTF8.self))) }
        var token = Token(kind: .string, text: String(decoding: bytes[start..<position], as: UTF8.self),
                          span: SourceSpan(file: file, line: startLine, column: startColumn,
                                           length: line == startLine ? column - startColumn : 1))
        token.parts = parts
        return token
    }
}
