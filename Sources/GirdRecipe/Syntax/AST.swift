/// The syntax tree. Every node carries the span it was parsed from, so any
/// error, at compile time or at run time, can point at its source.
public struct Expr {
    indirect enum Kind {
        case none, bool(Bool), int(Int64), float(Double)
        /// A string literal: literal text and interpolated expressions.
        case string([StringPiece])
        case name(String)
        case list([Expr])
        case record([(key: String, keySpan: SourceSpan, value: Expr)])
        case unary(UnaryOperator, Expr)
        case binary(BinaryOperator, Expr, Expr)
        /// `and` / `or`, which evaluate their right side only when needed.
        case logical(isAnd: Bool, Expr, Expr)
        case call(callee: Expr, arguments: [Argument])
        case index(Expr, Expr)
        case slice(Expr, start: Expr?, end: Expr?)
        case member(Expr, name: String, nameSpan: SourceSpan)
        case function(FunctionDeclaration)
        case block(Block)
        case ifElse(condition: Expr, then: Block, otherwise: Expr?)
    }
    let kind: Kind
    let span: SourceSpan
}

enum StringPiece {
    case text(String)
    case code(Expr)
}

struct Argument {
    /// The keyword, for `name: value`; nil for a positional argument.
    let name: String?
    let nameSpan: SourceSpan?
    let value: Expr
}

enum UnaryOperator: String { case negate = "-", not = "not" }

enum BinaryOperator: String {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", remainder = "%"
    case power = "**", matmul = "@"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case contains = "in"
}

struct Parameter {
    let name: String
    let span: SourceSpan
    /// Parameters with a default are named at the call.
    let defaultValue: Expr?
}

final class FunctionDeclaration {
    let name: String?
    let parameters: [Parameter]
    let body: Block
    let span: SourceSpan

    init(name: String?, parameters: [Parameter], body: Block, span: SourceSpan) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.span = span
    }
}

/// Statements between `{` and `}` (or a whole file). Its value is the value of
/// its last statement when that is an expression.
struct Block {
    let statements: [Stmt]
    let span: SourceSpan
}

public struct Stmt {
    enum DeclarationKind: String { case param, `let`, `var` }
    indirect enum Kind {
        case expression(Expr)
        case declaration(DeclarationKind, name: String, nameSpan: SourceSpan, value: Expr)
        case function(FunctionDeclaration)
        /// `target = value`; the target is a name, possibly followed by indices and members.
        case assign(target: Expr, value: Expr)
        case forLoop(variable: String, variableSpan: SourceSpan, sequence: Expr, body: Block)
        case whileLoop(condition: Expr, body: Block)
        case breakLoop, continueLoop
        case returnValue(Expr?)
        case importFile(path: String)
        case assert(condition: Expr, message: Expr?)
    }
    let kind: Kind
    let span: SourceSpan
}
