/// Recursive descent over the tokens, one function per precedence level:
/// `or`; `and`; `not`; comparisons and `in`; `+ -`; `* / // % @`; unary `-`;
/// `**`; call, index, slice, member.
///
/// Newlines end statements except inside `( )`, `[ ]` and record literals,
/// and after a binary operator or a comma: a stack says whether newlines are
/// significant where the parser is, and a block pushes "significant" again.
///
/// One file of about 650 lines, on purpose: the grammar reads top to bottom
/// as jlox's `Parser.java` does, and the rules share the cursor, the newline
/// stack and the nesting counters; split across files they would need that
/// state made internal to the module, for no gain in reading.
struct Parser {
    /// Deeper nesting than this is reported, not recursed into.
    static let maximumNesting = 400

    private let tokens: [Token]
    private var index = 0
    private var newlinesSignificant: [Bool] = [true]
    private var nesting = 0
    private var functionDepth = 0
    private var loopDepth = 0
    private var blockDepth = 0

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// A whole file (or `-e` text, or a REPL entry) as one block.
    static func parse(_ file: SourceFile) throws -> Block {
        var parser = Parser(tokens: try Lexer.tokens(of: file))
        return try parser.parseProgram()
    }

    // MARK: Tokens

    private var current: Token {
        var i = index
        if !newlinesSignificant.last! {
            while tokens[i].kind == .newline { i += 1 }
        }
        return tokens[i]
    }

    private mutating func skipInsignificantNewlines() {
        if !newlinesSignificant.last! {
            while tokens[index].kind == .newline { index += 1 }
        }
    }

    private mutating func skipNewlines() {
        while tokens[index].kind == .newline { index += 1 }
    }

    @discardableResult
    private mutating func advance() -> Token {
        skipInsignificantNewlines()
        let token = tokens[index]
        if token.kind != .endOfFile { index += 1 }
        return token
    }

    private func check(_ kind: TokenKind) -> Bool { current.kind == kind }

    /// The kind of the token after `current` (newlines skipped as `current` skips them).
    private var nextKind: TokenKind {
        var i = index
        let skipping = !newlinesSignificant.last!
        if skipping { while tokens[i].kind == .newline { i += 1 } }
        guard tokens[i].kind != .endOfFile else { return .endOfFile }
        i += 1
        if skipping { while tokens[i].kind == .newline { i += 1 } }
        return tokens[i].kind
    }

    private mutating func match(_ kind: TokenKind) -> Bool {
        if check(kind) { advance(); return true }
        return false
    }

    private func error(_ message: String, at token: Token) -> RecipeError {
        var error = RecipeError(message, at: token.span)
        error.needsMoreInput = token.kind == .endOfFile
        return error
    }

    private mutating func expect(_ kind: TokenKind, _ what: String) throws -> Token {
        if check(kind) { return advance() }
        throw error("expected \(what), found \(current.quoted)", at: current)
    }

    /// The closing bracket of `opener`; at the end of the input the error
    /// points where the bracket opened.
    @discardableResult
    private mutating func close(_ kind: TokenKind, _ text: String, opener: Token) throws -> Token {
        if check(kind) { return advance() }
        if current.kind == .endOfFile {
            var error = error("'\(opener.text)' was never closed", at: opener)
            error.needsMoreInput = true
            throw error
        }
        throw error("expected '\(text)' to close the '\(opener.text)' at \(opener.span.line):\(opener.span.column), found \(current.quoted)", at: current)
    }

    private mutating func identifier(_ what: String) throws -> Token {
        if check(.identifier) { return advance() }
        if TokenKind.keywords[current.text] != nil {
            throw error("expected \(what), found the keyword \(current.quoted)", at: current)
        }
        throw error("expected \(what), found \(current.quoted)", at: current)
    }

    private mutating func enterNesting(_ token: Token) throws {
        nesting += 1
        if nesting > Parser.maximumNesting {
            throw error("nesting too deep (more than \(Parser.maximumNesting) levels)", at: token)
        }
    }

    // MARK: Statements

    mutating func parseProgram() throws -> Block {
        let start = tokens[0].span
        let statements = try parseStatements(until: .endOfFile)
        if !check(.endOfFile) {
            throw error("unexpected \(current.quoted)", at: current)
        }
        return Block(statements: statements, span: start)
    }

    /// Statements separated by newlines or `;`, up to `end` (not consumed).
    private mutating func parseStatements(until end: TokenKind) throws -> [Stmt] {
        var statements: [Stmt] = []
        while true {
            while check(.newline) || check(.semicolon) { advance() }
            if check(end) || check(.endOfFile) { return statements }
            statements.append(try parseStatement())
            if check(.newline) || check(.semicolon) || check(end) || check(.endOfFile) { continue }
            if current.kind == .rightBrace || current.kind == .rightParen || current.kind == .rightBracket {
                throw error("unmatched \(current.quoted)", at: current)
            }
            throw error("expected the end of the statement, found \(current.quoted)", at: current)
        }
    }

    private mutating func parseBlock() throws -> Block {
        let opener = current
        guard opener.kind == .leftBrace else {
            throw error("expected '{', found \(current.quoted)", at: current)
        }
        try enterNesting(opener)
        defer { nesting -= 1 }
        advance()  // the brace, past any newlines the enclosing brackets ignore
        newlinesSignificant.append(true)
        blockDepth += 1
        let statements = try parseStatements(until: .rightBrace)
        blockDepth -= 1
        newlinesSignificant.removeLast()
        try close(.rightBrace, "}", opener: opener)
        return Block(statements: statements, span: opener.span)
    }

    private mutating func parseStatement() throws -> Stmt {
        let token = current
        switch token.kind {
        case .kwParam, .kwLet, .kwVar:
            advance()
            let kind: Stmt.DeclarationKind = token.kind == .kwParam ? .param : token.kind == .kwLet ? .let : .var
            if kind == .param && (functionDepth > 0 || blockDepth > 0) {
                throw error("'param' is allowed only at the top level of a recipe", at: token)
            }
            let name = try identifier("a name after '\(token.text)'")
            _ = try expect(.equal, "'=' after '\(kind.rawValue) \(name.text)'")
            skipNewlines()
            let value = try parseExpression()
            return Stmt(kind: .declaration(kind, NameBinding(name.text, span: name.span), value: value), span: token.span)
        case .kwFn where tokens[index + 1].kind == .identifier:
            advance()
            let name = advance()
            let declaration = try parseFunctionRest(name: name.text, span: name.span)
            return Stmt(kind: .function(declaration), span: token.span)
        case .kwFor:
            advance()
            guard loopDepthAllowed() else { throw error("nesting too deep", at: token) }
            let variable = try identifier("a loop variable after 'for'")
            _ = try expect(.kwIn, "'in' after 'for \(variable.text)'")
            let sequence = try parseExpression()
            loopDepth += 1
            defer { loopDepth -= 1 }
            let body = try parseBlock()
            return Stmt(kind: .forLoop(variable: NameBinding(variable.text, span: variable.span), sequence: sequence, body: body), span: token.span)
        case .kwWhile:
            advance()
            let condition = try parseExpression()
            loopDepth += 1
            defer { loopDepth -= 1 }
            let body = try parseBlock()
            return Stmt(kind: .whileLoop(condition: condition, body: body), span: token.span)
        case .kwBreak, .kwContinue:
            advance()
            if loopDepth == 0 { throw error("'\(token.text)' outside a loop", at: token) }
            return Stmt(kind: token.kind == .kwBreak ? .breakLoop : .continueLoop, span: token.span)
        case .kwReturn:
            advance()
            if functionDepth == 0 { throw error("'return' outside a function", at: token) }
            if check(.newline) || check(.semicolon) || check(.rightBrace) || check(.endOfFile) {
                return Stmt(kind: .returnValue(nil), span: token.span)
            }
            return Stmt(kind: .returnValue(try parseExpression()), span: token.span)
        case .kwImport:
            advance()
            let path = current
            guard path.kind == .string else { throw error("expected a file name in quotes after 'import'", at: path) }
            guard path.parts.count == 1, case .text(let text) = path.parts[0] else {
                throw error("the file name of an import cannot be interpolated", at: path)
            }
            if functionDepth > 0 || blockDepth > 0 {
                throw error("'import' is allowed only at the top level of a recipe", at: token)
            }
            advance()
            return Stmt(kind: .importFile(ImportedFile(path: text)), span: token.span.through(path.span))
        case .kwAssert:
            advance()
            // `assert(cond, "message")` reads as the call it looks like. The
            // form is chosen by the tokens, not by a trial parse: trying both
            // parsed nested asserts 2^depth times (found by fuzzing).
            if check(.leftParen) && parenthesisEndsTheStatement() {
                let (condition, message) = try parseParenthesizedAssert()
                return Stmt(kind: .assert(condition: condition, message: message), span: token.span.through(condition.span))
            }
            let condition = try parseExpression()
            var message: Expr?
            if match(.comma) {
                skipNewlines()
                message = try parseExpression()
            }
            return Stmt(kind: .assert(condition: condition, message: message), span: token.span.through(condition.span))
        default:
            let expression = try parseExpression()
            if check(.equal) {
                let equals = advance()
                try checkAssignable(expression, equals: equals)
                skipNewlines()
                let value = try parseExpression()
                return Stmt(kind: .assign(target: expression, value: value), span: expression.span)
            }
            return Stmt(kind: .expression(expression), span: expression.span)
        }
    }

    private func loopDepthAllowed() -> Bool { nesting < Parser.maximumNesting }

    private var isAtStatementEnd: Bool {
        check(.newline) || check(.semicolon) || check(.rightBrace) || check(.endOfFile)
    }

    /// Whether the bracket at the current token closes right before the end
    /// of the statement. An unclosed one counts as yes: its error is the call's.
    private func parenthesisEndsTheStatement() -> Bool {
        var depth = 0, position = index
        while position < tokens.count {
            switch tokens[position].kind {
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            case .endOfFile: return true
            default: break
            }
            position += 1
            if depth <= 0 { break }
        }
        var after = self
        after.index = min(position, tokens.count - 1)
        return after.isAtStatementEnd
    }

    private mutating func parseParenthesizedAssert() throws -> (Expr, Expr?) {
        let opener = advance()
        try enterNesting(opener)
        defer { nesting -= 1 }
        newlinesSignificant.append(false)
        let condition = try parseExpression()
        var message: Expr?
        if match(.comma) { message = try parseExpression() }
        try close(.rightParen, ")", opener: opener)
        newlinesSignificant.removeLast()
        return (condition, message)
    }

    private func checkAssignable(_ target: Expr, equals: Token) throws {
        switch target.kind {
        case .name: return
        case .index(let base, _), .member(let base, _, _): try checkAssignable(base, equals: equals)
        default:
            throw RecipeError("cannot assign to this expression (only to a name, an element x[i] or a field r.name)", at: target.span)
        }
    }

    /// Parameters and body of `fn NAME(...)` or `fn(...)`, after the name.
    private mutating func parseFunctionRest(name: String?, span: SourceSpan) throws -> FunctionDeclaration {
        let opener = try expect(.leftParen, "'(' to start the parameters")
        try enterNesting(opener)
        defer { nesting -= 1 }
        newlinesSignificant.append(false)
        var parameters: [Parameter] = []
        var seen = Set<String>()
        while !check(.rightParen) && !check(.endOfFile) {
            let parameter = try identifier("a parameter name")
            if seen.contains(parameter.text) {
                throw error("parameter '\(parameter.text)' is named twice", at: parameter)
            }
            seen.insert(parameter.text)
            var defaultValue: Expr?
            if match(.colon) {
                defaultValue = try parseExpression()
            } else if parameters.last?.defaultValue != nil {
                throw error("parameter '\(parameter.text)' needs a default: it follows a parameter with one", at: parameter)
            }
            parameters.append(Parameter(name: parameter.text, span: parameter.span, defaultValue: defaultValue))
            if !match(.comma) { break }
        }
        try close(.rightParen, ")", opener: opener)
        newlinesSignificant.removeLast()
        let savedLoops = loopDepth, savedBlocks = blockDepth
        functionDepth += 1; loopDepth = 0; blockDepth = 0
        defer { functionDepth -= 1; loopDepth = savedLoops; blockDepth = savedBlocks }
        let body = try parseBlock()
        return FunctionDeclaration(name: name, parameters: parameters, body: body, span: span)
    }

    // MARK: Expressions

    mutating func parseExpression() throws -> Expr {
        try parseOr()
    }

    private mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        var chain = 0
        while check(.kwOr) {
            let op = advance()
            skipNewlines()
            chain += 1
            if chain + nesting > Parser.maximumNesting * 8 { throw error("expression too long", at: op) }
            let right = try parseAnd()
            left = Expr(kind: .logical(isAnd: false, left, right), span: left.span.through(right.span))
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        var chain = 0
        while check(.kwAnd) {
            let op = advance()
            skipNewlines()
            chain += 1
            if chain + nesting > Parser.maximumNesting * 8 { throw error("expression too long", at: op) }
            let right = try parseNot()
            left = Expr(kind: .logical(isAnd: true, left, right), span: left.span.through(right.span))
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        if check(.kwNot) {
            let op = advance()
            try enterNesting(op)
            defer { nesting -= 1 }
            let operand = try parseNot()
            return Expr(kind: .unary(.not, operand), span: op.span.through(operand.span))
        }
        return try parseComparison()
    }

    private static func comparison(_ kind: TokenKind) -> BinaryOperator? {
        switch kind {
        case .equalEqual: return .equal
        case .bangEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        case .kwIn: return .contains
        default: return nil
        }
    }

    private mutating func parseComparison() throws -> Expr {
        let left = try parseAdditive()
        guard let op = Parser.comparison(current.kind) else { return left }
        advance()
        skipNewlines()
        let right = try parseAdditive()
        if Parser.comparison(current.kind) != nil {
            throw error("comparisons cannot be chained; combine them with 'and'", at: current)
        }
        return Expr(kind: .binary(op, left, right), span: left.span.through(right.span))
    }

    private mutating func parseAdditive() throws -> Expr {
        var left = try parseMultiplicative()
        var chain = 0
        while check(.plus) || check(.minus) {
            let token = advance()
            skipNewlines()
            chain += 1
            if chain + nesting > Parser.maximumNesting * 8 { throw error("expression too long", at: token) }
            let right = try parseMultiplicative()
            left = Expr(kind: .binary(token.kind == .plus ? .add : .subtract, left, right), span: left.span.through(right.span))
        }
        return left
    }

    private mutating func parseMultiplicative() throws -> Expr {
        var left = try parseUnary()
        var chain = 0
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            case .slashSlash: op = .floorDivide
            case .percent: op = .remainder
            case .at: op = .matmul
            default: return left
            }
            let token = advance()
            skipNewlines()
            chain += 1
            if chain + nesting > Parser.maximumNesting * 8 { throw error("expression too long", at: token) }
            let right = try parseUnary()
            left = Expr(kind: .binary(op, left, right), span: left.span.through(right.span))
        }
    }

    private mutating func parseUnary() throws -> Expr {
        if check(.minus) {
            let op = advance()
            try enterNesting(op)
            defer { nesting -= 1 }
            let operand = try parseUnary()
            return Expr(kind: .unary(.negate, operand), span: op.span.through(operand.span))
        }
        return try parsePower()
    }

    private mutating func parsePower() throws -> Expr {
        let base = try parsePostfix()
        if check(.starStar) {
            let op = advance()
            skipNewlines()
            try enterNesting(op)
            defer { nesting -= 1 }
            let exponent = try parseUnary()
            return Expr(kind: .binary(.power, base, exponent), span: base.span.through(exponent.span))
        }
        return base
    }

    private mutating func parsePostfix() throws -> Expr {
        var expression = try parsePrimary()
        var chain = 0
        while true {
            chain += 1
            if chain + nesting > Parser.maximumNesting * 8 { throw error("expression too long", at: current) }
            // A newline before `(` or `[` ends the statement; it does not call or index.
            if !newlinesSignificant.last! || tokens[index].kind != .newline {} else { return expression }
            switch current.kind {
            case .leftParen:
                let opener = advance()
                try enterNesting(opener)
                defer { nesting -= 1 }
                newlinesSignificant.append(false)
                var arguments: [Argument] = []
                var named = false
                while !check(.rightParen) && !check(.endOfFile) {
                    if check(.identifier) && nextKind == .colon {
                        let name = advance()
                        advance()
                        arguments.append(Argument(name: name.text, nameSpan: name.span, value: try parseExpression()))
                        named = true
                    } else {
                        let value = try parseExpression()
                        if named {
                            throw RecipeError("a positional argument cannot follow a named one", at: value.span)
                        }
                        arguments.append(Argument(name: nil, nameSpan: nil, value: value))
                    }
                    if !match(.comma) { break }
                }
                let closer = try close(.rightParen, ")", opener: opener)
                newlinesSignificant.removeLast()
                expression = Expr(kind: .call(callee: expression, arguments: arguments), span: expression.span.through(closer.span))
            case .leftBracket:
                let opener = advance()
                try enterNesting(opener)
                defer { nesting -= 1 }
                newlinesSignificant.append(false)
                var start: Expr?
                if !check(.colon) { start = try parseExpression() }
                if match(.colon) {
                    var end: Expr?
                    if !check(.rightBracket) { end = try parseExpression() }
                    let closer = try close(.rightBracket, "]", opener: opener)
                    newlinesSignificant.removeLast()
                    expression = Expr(kind: .slice(expression, start: start, end: end), span: expression.span.through(closer.span))
                } else {
                    let closer = try close(.rightBracket, "]", opener: opener)
                    newlinesSignificant.removeLast()
                    expression = Expr(kind: .index(expression, start!), span: expression.span.through(closer.span))
                }
            case .dot:
                advance()
                let name = try identifier("a member name after '.'")
                expression = Expr(kind: .member(expression, name: name.text, nameSpan: name.span), span: expression.span.through(name.span))
            default:
                return expression
            }
        }
    }

    private mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .int(let value): advance(); return Expr(kind: .int(value), span: token.span)
        case .float(let value): advance(); return Expr(kind: .float(value), span: token.span)
        case .kwTrue: advance(); return Expr(kind: .bool(true), span: token.span)
        case .kwFalse: advance(); return Expr(kind: .bool(false), span: token.span)
        case .kwNone: advance(); return Expr(kind: .none, span: token.span)
        case .identifier: advance(); return Expr(kind: .name(NameUse(token.text)), span: token.span)
        case .string:
            advance()
            var pieces: [StringPiece] = []
            for part in token.parts {
                switch part {
                case .text(let text): pieces.append(.text(text))
                case .code(let codeTokens, let span):
                    var inner = Parser(tokens: codeTokens)
                    inner.nesting = nesting + 1
                    inner.newlinesSignificant = [false]
                    if inner.check(.endOfFile) { throw RecipeError("empty interpolation '\\()' in a string", at: span) }
                    let expression: Expr
                    do {
                        expression = try inner.parseExpression()
                    } catch var error as RecipeError {
                        // The interpolation's own end, not the input's: no
                        // further line can complete it.
                        error.needsMoreInput = false
                        throw error
                    }
                    if !inner.check(.endOfFile) {
                        throw inner.error("unexpected \(inner.current.quoted) in an interpolation", at: inner.current)
                    }
                    pieces.append(.code(expression))
                }
            }
            return Expr(kind: .string(pieces), span: token.span)
        case .leftParen:
            advance()
            try enterNesting(token)
            defer { nesting -= 1 }
            newlinesSignificant.append(false)
            let inner = try parseExpression()
            try close(.rightParen, ")", opener: token)
            newlinesSignificant.removeLast()
            return inner
        case .leftBracket:
            advance()
            try enterNesting(token)
            defer { nesting -= 1 }
            newlinesSignificant.append(false)
            var elements: [Expr] = []
            while !check(.rightBracket) && !check(.endOfFile) {
                elements.append(try parseExpression())
                if !match(.comma) { break }
            }
            try close(.rightBracket, "]", opener: token)
            newlinesSignificant.removeLast()
            return Expr(kind: .list(elements), span: token.span)
        case .leftBrace:
            // `{}` and `{name: ...` are records; anything else is a block.
            // From the brace itself: inside brackets `index` may still be on
            // the newlines before it (a record at the start of a line in a list).
            var brace = index
            if !newlinesSignificant.last! { while tokens[brace].kind == .newline { brace += 1 } }
            let next = tokens[nextSignificantIndex(after: brace)]
            let afterNext = tokens[nextSignificantIndex(after: nextSignificantIndex(after: brace))]
            if next.kind == .rightBrace || ((next.kind == .identifier || next.kind == .string) && afterNext.kind == .colon) {
                return try parseRecord()
            }
            let block = try parseBlock()
            return Expr(kind: .block(block), span: token.span)
        case .kwFn:
            advance()
            let declaration = try parseFunctionRest(name: nil, span: token.span)
            return Expr(kind: .function(declaration), span: token.span)
        case .kwIf:
            return try parseIf()
        case .endOfFile:
            throw error("expected an expression, found the end of the input", at: token)
        default:
            let opener: String? = token.kind == .rightParen ? "(" : token.kind == .rightBracket ? "[" : token.kind == .rightBrace ? "{" : nil
            if let op = opener {
                throw error("unmatched '\(token.text)' (no '\(op)' is open)", at: token)
            }
            throw error("expected an expression, found \(token.quoted)", at: token)
        }
    }

    private func nextSignificantIndex(after i: Int) -> Int {
        var j = min(i + 1, tokens.count - 1)
        while tokens[j].kind == .newline && j < tokens.count - 1 { j += 1 }
        return j
    }

    private mutating func parseRecord() throws -> Expr {
        let opener = advance()
        try enterNesting(opener)
        defer { nesting -= 1 }
        newlinesSignificant.append(false)
        var fields: [(key: String, keySpan: SourceSpan, value: Expr)] = []
        var seen = Set<String>()
        while !check(.rightBrace) && !check(.endOfFile) {
            let key = current
            let name: String
            if key.kind == .identifier || (TokenKind.keywords[key.text] != nil && key.kind != .string) {
                name = key.text
            } else if key.kind == .string, key.parts.count == 1, case .text(let text) = key.parts[0] {
                name = text
            } else {
                throw error("expected a field name, found \(key.quoted)", at: key)
            }
            advance()
            if seen.contains(name) { throw error("field '\(name)' is given twice", at: key) }
            seen.insert(name)
            _ = try expect(.colon, "':' after the field name '\(name)'")
            fields.append((name, key.span, try parseExpression()))
            if !match(.comma) { break }
        }
        try close(.rightBrace, "}", opener: opener)
        newlinesSignificant.removeLast()
        return Expr(kind: .record(fields), span: opener.span)
    }

    private mutating func parseIf() throws -> Expr {
        let token = advance()
        try enterNesting(token)
        defer { nesting -= 1 }
        let condition = try parseExpression()
        let then = try parseBlock()
        var otherwise: Expr?
        // `else` may start the next line after `}`.
        var look = index
        while tokens[look].kind == .newline { look += 1 }
        if tokens[look].kind == .kwElse {
            index = look
            advance()
            if check(.kwIf) {
                otherwise = try parseIf()
            } else {
                let block = try parseBlock()
                otherwise = Expr(kind: .block(block), span: block.span)
            }
        }
        return Expr(kind: .ifElse(condition: condition, then: then, otherwise: otherwise), span: token.span)
    }
}
