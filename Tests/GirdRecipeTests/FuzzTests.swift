import XCTest
@testable import GirdRecipe

/// Random bytes and mutated recipes through the parser and the evaluator:
/// each must finish normally or with a RecipeError, never crash.
final class FuzzTests: XCTestCase {
    static let seeds = [
        "param lr = 0.05\nlet xs = [1, 2, 3]\nvar total = 0\nfor x in xs { total = total + x * 2 }\nprint(\"total \\(total)\")",
        "fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\nfib(10)",
        "var r = {a: [1, {b: 2}], c: \"s\"}\nr.a[1].b = 3\nlet f = fn(x, k: 2) { x ** k }\nf(3, k: 3) // 2 % 5",
        "let t = tensor([[1, 2], [3, 4]])\nshow(t @ t)\nt.reshape([4]).sum().item()",
        "var i = 0\nwhile i < 10 { i = i + 1; if i == 5 { break } else { continue } }\nassert i == 5, \"five\"",
        "grid({a: [1, 2], b: [\"x\"]})[0].a + len(range(3)) - -1.5 / 2",
        "fn f(x) { f(x) }\nf(1)",
        "let s = \"a\\tb\\(1 + 2)\"\ns[0:2] + str(not true or false and 1 in [1])",
    ]

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    private func check(_ text: String, options: InterpreterOptions) {
        let interpreter = Interpreter(options: options)
        do {
            _ = try interpreter.run(source: text, name: "<fuzz>")
        } catch let error as RecipeError {
            _ = error.description
        } catch {
            XCTFail("not a RecipeError for \(text.debugDescription): \(error)")
        }
    }

    func testRandomInputNeverCrashes() throws {
        var random = Generator(state: 12345)
        var options = InterpreterOptions()
        options.stepLimit = 20_000
        options.maximumCallDepth = 2_000
        options.output = { _ in }
        let alphabet = Array("abcfnlet var if else for in while ()[]{}:,.;+-*/%@<>=!\"\\#\n 0123456789_x".utf8)
        let tokens = ["(", ")", "[", "]", "{", "}", "fn", "let", "var", "=", "+", "*", "**", "//", ",", ":", ".", "\n", ";",
                      "if", "else", "for", "in", "while", "return", "break", "x", "1", "2.5", "\"s\"", "\"\\(", "not", "and"]
        var cases = 0
        let start = Date()
        for round in 0..<3000 {
            var text: String
            switch round % 4 {
            case 0:
                // Random bytes, from the recipe alphabet or any byte at all.
                let length = random.below(80)
                let bytes = (0..<length).map { _ in random.below(4) == 0 ? UInt8(random.below(256)) : alphabet[random.below(alphabet.count)] }
                text = String(decoding: bytes, as: UTF8.self)
            case 1, 2:
                // A valid recipe with tokens deleted, duplicated, swapped or inserted.
                var pieces = FuzzTests.seeds[random.below(FuzzTests.seeds.count)].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                for _ in 0..<(1 + random.below(4)) {
                    guard !pieces.isEmpty else { break }
                    let i = random.below(pieces.count)
                    switch random.below(4) {
                    case 0: pieces.remove(at: i)
                    case 1: pieces.insert(pieces[i], at: i)
                    case 2: pieces.swapAt(i, random.below(pieces.count))
                    default: pieces.insert(tokens[random.below(tokens.count)], at: i)
                    }
                }
                text = pieces.joined(separator: " ")
            default:
                // Deep nesting of every bracket kind, up to 10000 levels.
                let depth = 1 + random.below(10_000)
                let (open, close) = [("(", ")"), ("[", "]"), ("{", "}"), ("-", ""), ("not ", ""), ("f(", ")"), ("fn() {", "}")][random.below(7)]
                text = String(repeating: open, count: depth) + "1" + String(repeating: close, count: random.below(2) == 0 ? depth : depth / 2)
            }
            check(text, options: options)
            cases += 1
        }
        XCTAssertEqual(cases, 3000)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
    }

    func testLongOperatorChainsAndDeepRecursion() {
        var options = InterpreterOptions()
        options.output = { _ in }
        check(Array(repeating: "1", count: 20_000).joined(separator: " + "), options: options)
        check("fn f(n) { if n == 0 { 0 } else { 1 + f(n - 1) } }\nf(9000)", options: options)
        check("fn f(n) { if n == 0 { [] } else { [f(n - 1)] } }\nlet deep = f(9000)\nstr(deep)", options: options)
        check("var x = 1\nwhile true { x = x * 2 }", options: options)
    }
}
