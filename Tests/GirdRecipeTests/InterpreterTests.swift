import GirdInterrupt
import XCTest
@testable import GirdRecipe

final class InterpreterTests: XCTestCase {
    func testArithmetic() {
        XCTAssertEqual(evaluate("7 / 2"), "3.5")
        XCTAssertEqual(evaluate("4 / 2"), "2.0")
        XCTAssertEqual(evaluate("7 // 2"), "3")
        XCTAssertEqual(evaluate("-7 // 2"), "-4")
        XCTAssertEqual(evaluate("-7 % 3"), "2")
        XCTAssertEqual(evaluate("7 % -3"), "-2")
        XCTAssertEqual(evaluate("-7.5 // 2"), "-4.0")
        XCTAssertEqual(evaluate("-7.5 % 2"), "0.5")
        XCTAssertEqual(evaluate("1 + 2.5"), "3.5")
        XCTAssertEqual(evaluate("2 ** 10"), "1024")
        XCTAssertEqual(evaluate("0.1 + 0.2"), "0.30000000000000004")
        XCTAssertEqual(evaluate("1 == 1.0"), "true")
        XCTAssertEqual(evaluate("\"ab\" * 3"), "\"ababab\"")
        XCTAssertEqual(evaluate("[1] * 3 + [2]"), "[1, 1, 1, 2]")
        XCTAssertEqual(evaluate("2 in [1, 2]"), "true")
        XCTAssertEqual(evaluate("\"b\" in {a: 1}"), "false")
        XCTAssertEqual(evaluate("\"ell\" in \"hello\""), "true")
        XCTAssertEqual(evaluate("[1, 2] < [1, 3]"), "true")
    }

    func testDeclarationsAndAssignment() {
        XCTAssertEqual(evaluate("var x = 1\nx = x + 1\nx"), "2")
        XCTAssertEqual(evaluate("var r = {acc: 0.5}\nr.acc = 1\nr.new = 2\nr"), "{acc: 1, new: 2}")
        XCTAssertEqual(evaluate("var xs = [1, 2, 3]\nxs[0] = 9\nxs[-1] = 7\nxs"), "[9, 2, 7]")
        XCTAssertEqual(evaluate("var rs = [{a: [1, 2]}]\nrs[0].a[1] = 5\nrs"), "[{a: [1, 5]}]")
        XCTAssertEqual(evaluate("var r = {}\nr[\"stage1.preact\"] = 1\nr[\"stage1.preact\"]"), "1")
    }

    func testValueSemantics() {
        XCTAssertEqual(evaluate("var a = [1, 2]\nlet b = a\na[0] = 5\n[a, b]"), "[[5, 2], [1, 2]]")
        XCTAssertEqual(evaluate("var r = {k: [1]}\nvar s = r\ns.k[0] = 2\n[r, s]"), "[{k: [1]}, {k: [2]}]")
        XCTAssertEqual(evaluate("fn change(xs) { var ys = xs; ys[0] = 0; ys }\nlet xs = [1, 2]\n[change(xs), xs]"), "[[0, 2], [1, 2]]")
        XCTAssertEqual(evaluate("var xs = []\nlet saved = xs\nxs = xs + [1]\n[xs, saved]"), "[[1], []]")
    }

    func testFunctionsDefaultsAndNamedArguments() {
        XCTAssertEqual(evaluate("fn ramp(epoch, warmup: 5) { if epoch < warmup { return epoch / warmup } else { return 1.0 } }\n[ramp(1), ramp(1, warmup: 2), ramp(9)]"), "[0.2, 0.5, 1.0]")
        XCTAssertEqual(evaluate("fn f(a, b) { a - b }\nf(b: 1, a: 5)"), "4")
        XCTAssertEqual(evaluate("fn f() { }\nf()"), "none")
        XCTAssertEqual(evaluate("fn f(x) { if x > 0 { return } ; 1 }\n[f(1), f(-1)]"), "[none, 1]")
    }

    func testClosuresCaptureTheirScope() {
        XCTAssertEqual(evaluate("let double = fn(x) { x * 2 }\ndouble(21)"), "42")
        XCTAssertEqual(evaluate("fn counter() { var n = 0; fn() { n = n + 1; n } }\nlet c = counter()\nc(); c(); c()"), "3")
        XCTAssertEqual(evaluate("fn adder(k) { fn(x) { fn(y) { x + y + k } } }\nadder(1)(10)(100)"), "111")
        XCTAssertEqual(evaluate("let k = 3\nfn f(x) { x * k }\nf(2)"), "6")
    }

    /// Frames on the stack and frames on the heap: each closure keeps the
    /// frame of the call that made it, after that call has returned and
    /// while later calls reuse the stack.
    func testClosuresKeepTheirOwnFrames() {
        XCTAssertEqual(evaluate("fn adder(k) { fn(x) { x + k } }\nlet a = adder(1)\nlet b = adder(10)\nfn g(n) { n * 2 }\n[a(g(1)), b(g(2)), a(b(0))]"), "[3, 14, 11]")
        XCTAssertEqual(evaluate("var fs = []\nfn make(i) { let j = i * i; fn() { j } }\nfor i in range(4) { fs = fs + [make(i)] }\n[fs[0](), fs[1](), fs[3]()]"), "[0, 1, 9]")
        XCTAssertEqual(evaluate("fn outer(n) { let inner = fn(m) { if m == 0 { n } else { inner2(m - 1) } }; inner(3) }\nfn inner2(m) { m }\nouter(7)"), "2")
        // A function with defaults called with and without them, deep in a recursion.
        XCTAssertEqual(evaluate("fn sum(n, acc: 0) { if n == 0 { return acc }; sum(n - 1, acc: acc + n) }\n[sum(100), sum(3, acc: 10)]"), "[5050, 16]")
        XCTAssertEqual(evaluate("fn f(a, b, c, d: 4) { [a, b, c, d] }\n[f(1, 2, 3), f(1, 2, 3, d: 5)]"), "[[1, 2, 3, 4], [1, 2, 3, 5]]")
    }

    /// An error inside nested calls pops their frames: the session goes on
    /// with the stack as it was.
    func testTheFrameStackIsUnwoundByErrors() throws {
        let interpreter = Interpreter()
        XCTAssertThrowsError(try interpreter.run(source: "fn f(n) { let x = [n]; if n == 0 { 1 / 0 } else { f(n - 1) } }\nf(50)"))
        XCTAssertThrowsError(try interpreter.run(source: "fn g(x) { g(x) }\ng(1)"))
        XCTAssertEqual(try interpreter.run(source: "fn h(n) { if n < 2 { return n }; h(n - 1) + h(n - 2) }\nh(15)").repr, "610")
    }

    func testRecursionAndForwardReferences() {
        XCTAssertEqual(evaluate("fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }\nfib(20)"), "6765")
        XCTAssertEqual(evaluate("fn even(n) { if n == 0 { true } else { odd(n - 1) } }\nfn odd(n) { if n == 0 { false } else { even(n - 1) } }\neven(10)"), "true")
    }

    func testControlFlow() {
        XCTAssertEqual(evaluate("var s = 0\nfor i in range(10) { if i == 7 { break }; if i % 2 == 0 { continue }; s = s + i }\ns"), "9")
        XCTAssertEqual(evaluate("var n = 0\nwhile n < 5 { n = n + 2 }\nn"), "6")
        XCTAssertEqual(evaluate("var step = 1.0\nwhile step > 0.001 { step = step / 10 }\nstep"), "0.001")
        XCTAssertEqual(evaluate("var out = []\nfor x in [3, 4] { for y in \"ab\" { out = out + [\"\\(x)\\(y)\"] } }\nout"), "[\"3a\", \"3b\", \"4a\", \"4b\"]")
        XCTAssertEqual(evaluate("var keys = []\nfor k in {a: 1, b: 2} { keys = keys + [k] }\nkeys"), "[\"a\", \"b\"]")
        XCTAssertEqual(evaluate("var xs = []\nfor i in range(10, 0, -3) { xs = xs + [i] }\nxs"), "[10, 7, 4, 1]")
        XCTAssertEqual(evaluate("fn first(xs) { for x in xs { if x > 2 { return x } }; none }\nfirst([1, 5, 9])"), "5")
    }

    func testIfAsExpressionAndBlocks() {
        XCTAssertEqual(evaluate("let x = if 1 > 2 { \"a\" } else if 2 > 1 { \"b\" } else { \"c\" }\nx"), "\"b\"")
        XCTAssertEqual(evaluate("let y = { let t = 4; t * t }\ny"), "16")
        XCTAssertEqual(evaluate("if false { 1 }"), "none")
        XCTAssertEqual(evaluate("if true { 1 }\nelse { 2 }"), "1")
    }

    func testStringInterpolation() throws {
        let (_, output) = try runRecipe("let r = [{acc: 0.9}]\nprint(\"best: \\(r[0].acc) of \\(len(r)) \\(\"run\" + \"s\")\\n\")")
        XCTAssertEqual(output, "best: 0.9 of 1 runs\n\n")
        XCTAssertEqual(evaluate(#""\"quoted\" \\ tab\there""#), #""\"quoted\" \\ tab\there""#)
    }

    func testAssert() {
        XCTAssertEqual(evaluate("assert 1 + 1 == 2, \"arithmetic\"\n1"), "1")
        XCTAssertEqual(evaluate("assert(2 > 1, \"call form\")\nassert (1 < 2) or false\n2"), "2")
        XCTAssertEqual(errorText("assert(1 > 2, \"call form\")"), """
            <-e>:1:1: error: assertion failed: call form
                assert(1 > 2, "call form")
                ^~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("let results = [1, 2]\nassert len(results) == 3, \"three runs\""), """
            <-e>:2:1: error: assertion failed: three runs
                assert len(results) == 3, "three runs"
                ^~~~~~~~~~~~~~~~~~~~~~~~

            """)
    }

    func testParamsTakeOverrides() throws {
        let (_, output) = try runRecipe("param lr = 0.05\nparam bank = [0]\nprint(lr, bank)") { options in
            options.parameterOverrides = ["lr": .int(1), "bank": .list([.int(4096)])]
        }
        XCTAssertEqual(output, "1.0 [4096]\n")
        XCTAssertEqual(errorText("param lr = 0.05\nlr = 1"), """
            <-e>:2:1: error: cannot assign to 'lr': it is a param (params are constant once resolved; use --set to change it)
                lr = 1
                ^~

            """)
    }

    func testImportsRunOnceRelativeThenStandardLibrary() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gird-import-\(UUID().uuidString)")
        let lib = root.appendingPathComponent("lib"), sub = root.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "print(\"common runs\")\nlet width = 4\nfn twice(x) { x * 2 }\n".write(to: sub.appendingPathComponent("common.recipe"), atomically: true, encoding: .utf8)
        try "import \"common.recipe\"\nlet helper = twice(width)\n".write(to: sub.appendingPathComponent("helper.recipe"), atomically: true, encoding: .utf8)
        try "let from_stdlib = 7\n".write(to: lib.appendingPathComponent("std.recipe"), atomically: true, encoding: .utf8)
        let main = "import \"common.recipe\"\nimport \"helper.recipe\"\nimport \"std.recipe\"\nprint(twice(width), helper, from_stdlib)\n"
        let output = OutputBuffer()
        var options = InterpreterOptions()
        options.output = { output.text += $0 }
        options.libraryDirectories = [lib.path]
        let interpreter = Interpreter(options: options)
        try interpreter.run(SourceFile(name: "main.recipe", text: main, directory: sub.path))
        XCTAssertEqual(output.text, "common runs\n8 8 7\n")

        // A file named like a library module imports the library's, not itself.
        try "import \"std.recipe\"\nprint(from_stdlib)\n".write(to: sub.appendingPathComponent("std.recipe"), atomically: true, encoding: .utf8)
        output.text = ""
        try Interpreter(options: options).run(SourceFile(name: "std.recipe", text: "import \"std.recipe\"\nprint(from_stdlib)\n",
                                                         directory: sub.path))
        XCTAssertEqual(output.text, "7\n")

        let missing = Interpreter(options: options)
        XCTAssertThrowsError(try missing.run(SourceFile(name: "m.recipe", text: "import \"nope.recipe\"", directory: sub.path))) { error in
            XCTAssertEqual((error as? RecipeError)?.message, "cannot import 'nope.recipe': no such file (looked in \(sub.path), \(lib.path))")
        }
    }

    func testStandardLibraryIsFoundNextToPackageSwift() {
        let directories = StandardLibrary.defaultDirectories()
        XCTAssertTrue(directories.contains { $0.hasSuffix("/stdlib") }, "\(directories)")
    }

    func testStepLimitStopsAnInfiniteLoop() {
        XCTAssertEqual(errorText("while true { }", stepLimit: 100_000), """
            <-e>:1:1: error: step limit reached (100000 steps)
                while true { }
                ^~~~~

            """)
    }

    func testDeepRecursionIsAnError() {
        let text = errorText("fn f(x) { f(x) }\nf(1)", stepLimit: nil)
        XCTAssertTrue(text.hasPrefix("""
            <-e>:1:11: error: recursion too deep (more than 10000 frames)
                fn f(x) { f(x) }
                          ^~~~
            traceback (innermost last):
                <-e>:2:1: in <top level>
                <-e>:1:11: in f

            """), text)
        XCTAssertTrue(text.contains("    ... 9981 more frames ...\n"), text)
    }

    func testInterrupt() {
        Interrupt.request()
        defer { Interrupt.clear() }
        do {
            _ = try runRecipe("var i = 0\nwhile true { i = i + 1 }", stepLimit: nil)
            XCTFail("no interrupt")
        } catch let error as RecipeError {
            XCTAssertTrue(error.isInterrupt)
        } catch {
            XCTFail("\(error)")
        }
    }
}
