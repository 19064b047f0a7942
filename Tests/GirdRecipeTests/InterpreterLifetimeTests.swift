import XCTest
@testable import GirdRecipe

/// Found by fuzzing (LeakSanitizer): a session's functions live in its
/// globals and capture its context, so a dropped interpreter kept its whole
/// session, 32 MiB of frame stack included, in any program that makes many.
final class InterpreterLifetimeTests: XCTestCase {
    func testADroppedInterpreterFreesItsSession() throws {
        weak var context: InterpreterContext?
        try { () throws -> Void in
            var options = InterpreterOptions()
            options.output = { _ in }
            let interpreter = Interpreter(options: options)
            context = interpreter.context
            XCTAssertEqual(try interpreter.run(source: "fn f(x) { if x < 1 { 0 } else { f(x - 1) } }\nlet g = fn(y) { f(y) }\ng(3)").repr, "0")
        }()
        // The interpreter runs on a thread of its own (BigStack), which lets
        // go of its closure, and the session with it, a moment after it returns.
        for _ in 0..<200 where context != nil { usleep(5_000) }
        XCTAssertNil(context, "the context outlived its interpreter")
    }
}

/// Found by fuzzing (LeakSanitizer, the `recipe` and `evaluate` targets):
/// compiled code captured syntax (an `Expr` holding a name's `NameUse`) to
/// name it in a "used before its definition" error: a call's callee, in a
/// local function its closures share, and the left side of `i = i + 1`.
/// The optimised build left those nodes behind after the interpreter was
/// gone (the recursive `fib` below leaked 219 bytes in 6 objects, the loop
/// 73 bytes in 2; the debug build, this test's, freed them). The compiled
/// code now keeps only names, slots and spans; this test holds every build
/// to that: no name node of the tree outlives its interpreter.
final class SyntaxTreeLifetimeTests: XCTestCase {
    final class WeakName {
        weak var use: NameUse?
        init(_ use: NameUse) { self.use = use }
    }

    /// Every name node of the tree.
    func names(in block: Block) -> [WeakName] {
        var found: [WeakName] = []
        func visit(_ expression: Expr?) {
            guard let expression else { return }
            switch expression.kind {
            case .name(let use): found.append(WeakName(use))
            case .string(let pieces): for case .code(let inner) in pieces { visit(inner) }
            case .list(let items): items.forEach(visit)
            case .record(let fields): fields.forEach { visit($0.value) }
            case .unary(_, let inner): visit(inner)
            case .binary(_, let left, let right), .logical(_, let left, let right), .index(let left, let right):
                visit(left)
                visit(right)
            case .call(let callee, let arguments):
                visit(callee)
                arguments.forEach { visit($0.value) }
            case .slice(let base, let start, let end):
                visit(base)
                visit(start)
                visit(end)
            case .member(let base, _, _): visit(base)
            case .function(let declaration): walk(declaration.body)
            case .block(let inner): walk(inner)
            case .ifElse(let condition, let then, let otherwise):
                visit(condition)
                walk(then)
                visit(otherwise)
            default: break
            }
        }
        func walk(_ block: Block) {
            for statement in block.statements {
                switch statement.kind {
                case .expression(let value), .declaration(_, _, let value): visit(value)
                case .function(let declaration): walk(declaration.body)
                case .assign(let target, let value):
                    visit(target)
                    visit(value)
                case .forLoop(_, let sequence, let body):
                    visit(sequence)
                    walk(body)
                case .whileLoop(let condition, let body):
                    visit(condition)
                    walk(body)
                case .returnValue(let value): visit(value)
                case .assert(let condition, let message):
                    visit(condition)
                    visit(message)
                default: break
                }
            }
        }
        walk(block)
        return found
    }

    func testCompiledCodeLetsGoOfTheSyntaxTree() throws {
        let sources = ["fn g(x) { x }\ng(1)\n", "let x = 1\nprint(\"a\\(x)\")\n",
                       "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\nfib(10)\n",
                       "var i = 0\nwhile i < 10 { i = i + 1; if i == 5 { break } else { continue } }\nassert i == 5, \"fiv\"\n",
                       "var xs = []\nfor k in range(3) { xs = xs + [k] }\nvar s = \"\"\ns = s + \"a\"\n"]
        for source in sources {
            var nodes: [WeakName] = []
            try { () throws -> Void in
                var options = InterpreterOptions()
                options.output = { _ in }
                let interpreter = Interpreter(options: options)
                let file = SourceFile(name: "<leak>", text: source)
                let block = try Parser.parse(file)
                nodes = names(in: block)
                try interpreter.resolver.resolveProgram(block)
                let program = Interpreter.Program(body: try interpreter.compiler.compileProgram(block), source: file)
                _ = try interpreter.execute(program)
            }()
            XCTAssertFalse(nodes.isEmpty)
            for _ in 0..<200 where nodes.contains(where: { $0.use != nil }) { usleep(5_000) }
            let kept = nodes.compactMap { $0.use?.name }
            XCTAssertEqual(kept, [], "name nodes outlived their interpreter: \(source)")
        }
    }
}
