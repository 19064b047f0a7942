/// The syntax tree. Every node carries the span it was parsed from, so any
/// error, at compile time or at run time, can point at its source.
public struct Expr {
    indirect enum Kind {
        case none, bool(Bool), int(Int64), float(Double)
        /// A string literal: literal text and interpolated expressions.
        case string([StringPiece])
        case name(NameUse)
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
    /// The name `fn NAME(...)` binds, as a statement.
    let binding: NameBinding?
    // Recorded by the resolver:
    /// How many slots a call's frame needs (parameters first).
    var slotCount = 0
    /// Declared inside another function: its closures keep the frame they were made in.
    var capturesFrame = false
    /// Makes closures (a `fn` in its body): its frames may outlive their calls.
    var makesClosures = false

    init(name: String?, parameters: [Parameter], body: Block, span: SourceSpan) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.span = span
        self.binding = name.map { NameBinding($0, span: span) }
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
        case declaration(DeclarationKind, NameBinding, value: Expr)
        case function(FunctionDeclaration)
        /// `target = value`; the target is a name, possibly followed by indices and members.
        case assign(target: Expr, value: Expr)
        case forLoop(variable: NameBinding, sequence: Expr, body: Block)
        case whileLoop(condition: Expr, body: Block)
        case breakLoop, continueLoop
        case returnValue(Expr?)
        case importFile(ImportedFile)
        case assert(condition: Expr, message: Expr?)
    }
    let kind: Kind
    let span: SourceSpan
}

// MARK: What the resolver records on the tree

/// Where a name lives, as the resolver decided it before anything compiles
/// (jlox's "depth", starlark-go's Binding scope and index).
enum Slot: Equatable {
    /// Not resolved yet: the compiler never sees one.
    case unresolved
    /// An index in the current call's frame.
    case local(Int)
    /// An index in the frame of the function `depth` definitions out.
    case enclosing(depth: Int, slot: Int)
    /// An index in the session's global slots.
    case global(Int)
    /// An index in `BuiltinRegistry.functions`.
    case builtin(Int)
}

/// A name an expression reads (or an assignment's root). A class, so that
/// the resolver can record its slot on the tree the parser built.
final class NameUse {
    let name: String
    var slot: Slot = .unresolved

    init(_ name: String) { self.name = name }
}

/// A name a statement binds (`let`, `var`, `param`, `fn NAME`, a loop
/// variable): the resolver records the slot its value is stored in,
/// `.local` or `.global`.
final class NameBinding {
    let name: String
    let span: SourceSpan
    var slot: Slot = .unresolved

    init(_ name: String, span: SourceSpan) {
        self.name = name
        self.span = span
    }
}

/// `import "path"`: the resolver finds, parses and resolves the file (its
/// top-level names become visible to the statements after the import).
final class ImportedFile {
    let path: String
    /// The file's tree; nil when the session had imported it already.
    var program: Block?

    init(path: String) { self.path = path }
}
