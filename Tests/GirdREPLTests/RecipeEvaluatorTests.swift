import XCTest
import GirdRecipe
import GirdREPL
@testable import GirdRecipeREPL

/// The interpreter behind the REPL's protocols, without a terminal.
final class RecipeEvaluatorTests: XCTestCase {
    private func evaluator() -> RecipeEvaluator {
        var options = InterpreterOptions()
        options.output = { _ in }
        return RecipeEvaluator(interpreter: Interpreter(options: options))
    }

    private func complete(_ evaluator: RecipeEvaluator, _ line: String) -> [String] {
        evaluator.completions(line: line, cursor: line.utf8.count).candidates
    }

    func testCompletionFromBuiltinsBindingsAndMembers() {
        let repl = evaluator()
        XCTAssertEqual(complete(repl, "pri"), ["print"])
        XCTAssertEqual(repl.evaluate(source: "let t = zeros([2, 2])\nlet run = {history: [1], best: 0.5}"), .silent)
        XCTAssertEqual(complete(repl, "t.sh"), ["shape"])
        XCTAssertEqual(complete(repl, "run.h"), ["history"])
        XCTAssertTrue(complete(repl, "ru").contains("run"))
        XCTAssertEqual(complete(repl, ":lo"), [":load"])
        XCTAssertEqual(complete(repl, "nothing.x"), [])
        // A call is never made to find members: `f().` offers nothing.
        XCTAssertEqual(repl.evaluate(source: "var calls = 0\nfn f() { calls = calls + 1; {a: 1} }"), .silent)
        XCTAssertEqual(complete(repl, "f().a"), [])
        XCTAssertEqual(repl.evaluate(source: "calls"), .value("0"))
    }

    func testTapsInsideATapString() {
        let repl = evaluator()
        XCTAssertEqual(repl.evaluate(source: "let s = model(\"resnet8\", classes: 10)"), .silent)
        XCTAssertEqual(complete(repl, "relations(s, s, d, tap: \"stage3"), ["stage3", "stage3.preact"])
        XCTAssertEqual(complete(repl, "x = \"stage3"), [])  // any other string: paths
    }

    func testValuesErrorsAndUnderscore() {
        let repl = evaluator()
        XCTAssertEqual(repl.evaluate(source: "6 * 7"), .value("42"))
        XCTAssertEqual(repl.evaluate(source: "_ + 1"), .value("43"))
        XCTAssertEqual(repl.evaluate(source: "\"text\""), .value("\"text\""))
        XCTAssertEqual(repl.evaluate(source: "print(1))"), .failure("<repl>:1:9: error: unmatched ')'\n    print(1))\n            ^"))
        XCTAssertEqual(repl.describeType(of: "zeros([2, 3])"), .value("tensor [2, 3] float32"))
        XCTAssertEqual(repl.describeType(of: "[1]"), .value("list"))
        repl.reset()
        XCTAssertEqual(repl.evaluate(source: "_"), .failure("<repl>:1:1: error: unknown name '_'\n    _\n    ^"))
    }

    /// Issue 15: the overview writes a model's call as it is called, `m(x)`.
    func testTheOverviewShowsTheCallForm() throws {
        let overview = try XCTUnwrap(evaluator().help(topic: nil))
        XCTAssertTrue(overview.contains("m(x)"), overview)
        XCTAssertFalse(overview.contains("m.()"), overview)
    }

    func testStatusAndHelp() {
        let repl = evaluator()
        XCTAssertEqual(repl.status(of: "fn f(x) {"), .incomplete)
        XCTAssertEqual(repl.status(of: "1 +"), .incomplete)
        XCTAssertEqual(repl.status(of: "1 + 1"), .complete)
        XCTAssertEqual(repl.status(of: "(1]"), .error)
        XCTAssertEqual(repl.help(topic: "print"), "print(values...)\n    prints the values separated by spaces, then a newline")
        XCTAssertEqual(repl.help(topic: "t.shape"), "t.shape\n    " + (BuiltinRegistry.member("shape", of: "tensor")?.doc ?? "?"))
        XCTAssertEqual(repl.help(topic: "prnt"), "no builtin named 'prnt'; did you mean 'print'?")
        XCTAssertTrue(repl.help(topic: nil)?.contains("views: show heatmap relations") == true)
    }
}
