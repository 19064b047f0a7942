import XCTest
@testable import GirdREPL

final class BracketScannerTests: XCTestCase {
    let scanner = BracketScanner()

    func assertStatus(_ source: String, _ expected: CompletenessStatus, line: UInt = #line) {
        XCTAssertEqual(scanner.status(of: source), expected, source.debugDescription, line: line)
    }

    func testCompleteStatements() {
        assertStatus("1 + 1", .complete)
        assertStatus("let m = model(\"resnet8x4\", classes: 10)", .complete)
        assertStatus("fn f(x) {\n  x * 2\n}", .complete)
        assertStatus("", .complete)
        assertStatus("x  # a comment with ( and +", .complete)
        assertStatus("s = \"(\"", .complete)
        assertStatus("print(\"a \\\" b\")", .complete)
        assertStatus("print(\"value: \\(f(1))\")", .complete)
        assertStatus("x = a.b", .complete)
        assertStatus("ok = inside", .complete)  // "in" only as a whole word
    }

    func testUnfinishedStatements() {
        assertStatus("fn f(x) {", .incomplete)
        assertStatus("xs = [1, 2,", .incomplete)
        assertStatus("f(a,\n  b", .incomplete)
        assertStatus("{bank: 4096,", .incomplete)
        assertStatus("total = a +", .incomplete)
        assertStatus("total = a +   # more below", .incomplete)
        assertStatus("ok = a and", .incomplete)
        assertStatus("if x { 1 } else", .incomplete)
        assertStatus("let x =", .incomplete)
        assertStatus("y = m.", .incomplete)
        assertStatus("print(\"\\(f(1)", .incomplete)  // an open interpolation
        assertStatus("print(\"\\(f(1\")", .error)      // a string opened inside it, never closed
    }

    func testErrors() {
        assertStatus("f(1]", .error)
        assertStatus(")", .error)
        assertStatus("print(\"unterminated", .error)
        assertStatus("s = \"one\nline\"", .error)
    }

    func testAccumulatorPromptsAndJoinsLines() {
        var accumulator = InputAccumulator()
        XCTAssertEqual(accumulator.prompt, ">>> ")
        XCTAssertEqual(accumulator.add("fn f(x) {"), .needsMore)
        XCTAssertEqual(accumulator.prompt, "... ")
        XCTAssertEqual(accumulator.add("x }"), .complete("fn f(x) {\nx }"))
        XCTAssertEqual(accumulator.prompt, ">>> ")
        XCTAssertEqual(accumulator.add("f(]"), .invalid("f(]"))
        XCTAssertEqual(accumulator.add("[1,"), .needsMore)
        accumulator.reset()
        XCTAssertTrue(accumulator.isEmpty)
    }

    func testStatementsOfAProgram() {
        XCTAssertEqual(InputAccumulator.statements(of: "a = 1\n\nf(1,\n 2)\nb\n"), ["a = 1", "f(1,\n 2)", "b"])
        XCTAssertEqual(InputAccumulator.statements(of: "[1,\n"), ["[1,"])
    }
}
