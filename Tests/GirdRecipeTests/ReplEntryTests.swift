import GirdInterrupt
import XCTest
@testable import GirdRecipe

/// What the REPL needs from the interpreter: the parser's verdict on
/// unfinished input, entries run one after another in one session, `_`.
final class ReplEntryTests: XCTestCase {
    func testInputStatusFromTheParser() {
        for complete in ["1 + 1", "let x = [1, 2]", "fn f(x) { x }", "", "# a comment", "print(\"(\")"] {
            XCTAssertEqual(InputStatus(of: complete), .complete, complete)
        }
        for unfinished in ["fn f(x) {", "[1,", "1 +", "print(", "let x =", "fn f(x)", "if true { 1 } else", "{a: 1,\nb: 2"] {
            XCTAssertEqual(InputStatus(of: unfinished), .incomplete, unfinished)
        }
        for wrong in ["print(1))", "\"abc", "\"\\(1 +)\"", "let = 3", "[1, 2)"] {
            XCTAssertEqual(InputStatus(of: wrong), .invalid, wrong)
        }
    }

    private func session() -> (Interpreter, OutputBuffer) {
        let output = OutputBuffer()
        var options = InterpreterOptions()
        options.output = { output.text += $0 }
        let interpreter = Interpreter(options: options)
        interpreter.allowsRedefinition = true
        return (interpreter, output)
    }

    @discardableResult
    private func entry(_ interpreter: Interpreter, _ text: String) throws -> Value {
        try interpreter.runEntry(SourceFile(name: "<repl>", text: text))
    }

    func testEntriesShareTheGlobalsAndMayRedefine() throws {
        let (interpreter, _) = session()
        try entry(interpreter, "let x = 20\nfn twice(v) { v * 2 }")
        XCTAssertEqual(try entry(interpreter, "twice(x) + 2").repr, "42")
        try entry(interpreter, "let x = 1")
        XCTAssertEqual(try entry(interpreter, "x").repr, "1")
        XCTAssertEqual(interpreter.globalValue(named: "x")?.repr, "1")
        XCTAssertNil(interpreter.globalValue(named: "nothing"))
    }

    func testAFailedEntryKeepsTheBindingsItDidNotReplace() throws {
        let (interpreter, _) = session()
        try entry(interpreter, "let t = 5\nvar n = 0")
        // Does not compile: nothing it declared stays.
        XCTAssertThrowsError(try entry(interpreter, "let t = nope\nlet fresh = 1"))
        XCTAssertEqual(try entry(interpreter, "t").repr, "5")
        XCTAssertFalse(interpreter.visibleNames.contains("fresh"))
        // Fails while running: what ran before the failure stays.
        XCTAssertThrowsError(try entry(interpreter, "n = 3\nlet t = [1][5]"))
        XCTAssertEqual(try entry(interpreter, "[t, n]").repr, "[5, 3]")
    }

    func testInterruptStopsAnEntryAndKeepsTheBindings() throws {
        let (interpreter, _) = session()
        try entry(interpreter, "var i = 0")
        Interrupt.request()
        defer { Interrupt.clear() }
        XCTAssertThrowsError(try entry(interpreter, "while true { i = i + 1 }")) { error in
            XCTAssertTrue((error as? RecipeError)?.isInterrupt == true)
        }
        XCTAssertEqual(try entry(interpreter, "i > 0").repr, "true")
    }

    func testInterruptStopsAForwardPassBeforeItsNextKernel() throws {
        let (interpreter, _) = session()
        try entry(interpreter, "let m = model(\"resnet8\", classes: 10, in_channels: 1)\nlet x = randn([2, 1, 32, 32])")
        Interrupt.request()
        defer { Interrupt.clear() }
        // No loop, no call of a recipe function: the only safe points are
        // the convolutions of the forward pass.
        XCTAssertThrowsError(try entry(interpreter, "m(x)")) { error in
            XCTAssertTrue((error as? RecipeError)?.isInterrupt == true, "\(error)")
        }
        XCTAssertEqual(try entry(interpreter, "m(x).shape").repr, "[2, 10]")
    }

    func testBindFromTheHost() throws {
        let (interpreter, _) = session()
        interpreter.bind("_", to: .int(7))
        XCTAssertEqual(try entry(interpreter, "_ * 6").repr, "42")
        interpreter.bind("_", to: .string("again"))
        XCTAssertEqual(try entry(interpreter, "_").repr, "\"again\"")
    }
}
