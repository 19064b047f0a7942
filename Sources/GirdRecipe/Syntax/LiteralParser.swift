/// Recipe literals on their own: `--set` values and builtin defaults.
/// `0.1`, `-3`, `"gap"`, `true`, `none`, `[0, 4096]`, `{a: 1}`.
public enum LiteralParser {
    public static func parse(_ text: String) throws -> Value {
        let file = SourceFile(name: "<literal>", text: text)
        var parser = Parser(tokens: try Lexer.tokens(of: file))
        let expression = try parser.parseExpression()
        return try value(of: expression)
    }

    static func value(of expression: Expr) throws -> Value {
        switch expression.kind {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let x): return .float(x)
        case .string(let pieces):
            var text = ""
            for piece in pieces {
                guard case .text(let part) = piece else { throw RecipeError("not a literal: interpolation", at: expression.span) }
                text += part
            }
            return .string(text)
        case .unary(.negate, let operand):
            switch try value(of: operand) {
            case .int(let i) where i != Int64.min: return .int(-i)
            case .float(let x): return .float(-x)
            default: throw RecipeError("not a literal", at: expression.span)
            }
        case .list(let items): return .list(try items.map(value(of:)))
        case .record(let fields): return .record(Record(try fields.map { ($0.key, try value(of: $0.value)) }))
        default: throw RecipeError("not a literal (a number, a string in quotes, true, false, none, or a list or record of those)", at: expression.span)
        }
    }
}
