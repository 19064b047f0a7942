import XCTest
@testable import GirdRecipe

final class ParserTests: XCTestCase {
    func testPrecedence() {
        XCTAssertEqual(evaluate("1 + 2 * 3"), "7")
        XCTAssertEqual(evaluate("(1 + 2) * 3"), "9")
        XCTAssertEqual(evaluate("-2 ** 2"), "-4")
        XCTAssertEqual(evaluate("2 ** 3 ** 2"), "512")
        XCTAssertEqual(evaluate("2 ** -1"), "0.5")
        XCTAssertEqual(evaluate("not 1 < 2 and true"), "false")
        XCTAssertEqual(evaluate("false or 1 + 1 == 2 and not false"), "true")
        XCTAssertEqual(evaluate("10 - 4 - 3"), "3")
    }

    /// Found by fuzzing: `assert(` was parsed twice at each level of
    /// nesting (a trial as the call it looks like, then as an expression),
    /// 2^depth in all. The form is now chosen by the tokens; the meaning of
    /// every form is unchanged.
    func testNestedAssertsParseOnceAndKeepTheirMeaning() {
        XCTAssertEqual(evaluate("assert({ assert(1 == 1, \"inner\"); true }, \"outer\")\n7"), "7")
        XCTAssertEqual(evaluate("assert (1 + 1) == 2\n8"), "8")
        XCTAssertTrue(errorText("assert({ assert(1 == 2, \"inner\"); true })").contains("assertion failed: inner"))
        XCTAssertTrue(errorText("assert(1 == 2, \"m\")").contains("assertion failed: m"))
        var nested = "true"
        for _ in 0..<40 { nested = "{ assert(" + nested + "); true }" }
        XCTAssertEqual(evaluate("assert(" + nested + ")\n9"), "9")
    }

    func testChainedComparisonIsAnError() {
        XCTAssertEqual(errorText("1 < 2 < 3"), """
            <-e>:1:7: error: comparisons cannot be chained; combine them with 'and'
                1 < 2 < 3
                      ^

            """)
    }

    func testNewlineRules() {
        XCTAssertEqual(evaluate("let x = (1 +\n 2\n + 3)\nx"), "6")
        XCTAssertEqual(evaluate("let y = 1 +\n    2\ny"), "3")
        XCTAssertEqual(evaluate("let xs = [\n 1,\n 2,\n]\nxs"), "[1, 2]")
        XCTAssertEqual(evaluate("let r = {\n a: 1,\n b: 2\n}\nr.b"), "2")
        XCTAssertEqual(evaluate("let a = 1; let b = 2; a + b"), "3")
        XCTAssertEqual(evaluate("fn f(a,\n b) { a - b }\nf(5,\n 3)"), "2")
        // A named argument on a continuation line is still named.
        XCTAssertEqual(evaluate("fn g(a: 1, b: 2) { a - b }\ng(a: 5,\n  b: 3)"), "2")
        XCTAssertEqual(evaluate("fn h(a: 1, b: 2) { a - b }\nh(\n  b: 5\n)"), "-4")
    }

    func testRecordOrBlock() {
        XCTAssertEqual(evaluate("{}"), "{}")
        XCTAssertEqual(evaluate("{ 1 + 1 }"), "2")
        XCTAssertEqual(evaluate("{a: 1, \"stage1.preact\": 2}"), "{a: 1, \"stage1.preact\": 2}")
        // A record starting a line inside brackets is still a record.
        XCTAssertEqual(evaluate("[{a: 1},\n   {a: 2}]"), "[{a: 1}, {a: 2}]")
        XCTAssertEqual(evaluate("len([\n  {}, {\"b\": 2}\n])"), "2")
        // ... and a block starting a line inside brackets is still a block.
        XCTAssertEqual(evaluate("[\n  { 1 + 1 }\n]"), "[2]")
        XCTAssertEqual(evaluate("[1,\n { 2 }]"), "[1, 2]")
    }

    func testUnclosedBracketIsReportedWhereItOpened() {
        XCTAssertEqual(errorText("let xs = [1, 2,\n  3\nprint(xs)"), """
            <-e>:3:1: error: expected ']' to close the '[' at 1:10, found 'print'
                print(xs)
                ^~~~~

            """)
        XCTAssertEqual(errorText("print((1 + 2)\n"), """
            <-e>:1:6: error: '(' was never closed
                print((1 + 2)
                     ^

            """)
        XCTAssertEqual(errorText("fn f() {\n  1\n"), """
            <-e>:1:8: error: '{' was never closed
                fn f() {
                       ^

            """)
    }

    func testSyntaxErrors() {
        XCTAssertEqual(errorText("let = 3"), """
            <-e>:1:5: error: expected a name after 'let', found '='
                let = 3
                    ^

            """)
        XCTAssertEqual(errorText("1 +"), """
            <-e>:1:4: error: expected an expression, found the end of the input
                1 +
                   ^

            """)
        XCTAssertEqual(errorText("break"), """
            <-e>:1:1: error: 'break' outside a loop
                break
                ^~~~~

            """)
        XCTAssertEqual(errorText("fn f() { param x = 1 }"), """
            <-e>:1:10: error: 'param' is allowed only at the top level of a recipe
                fn f() { param x = 1 }
                         ^~~~~

            """)
        XCTAssertEqual(errorText("1 + 2 = 3"), """
            <-e>:1:1: error: cannot assign to this expression (only to a name, an element x[i] or a field r.name)
                1 + 2 = 3
                ^~~~~

            """)
        XCTAssertEqual(errorText("x)"), """
            <-e>:1:2: error: unmatched ')'
                x)
                 ^

            """)
    }

    func testNestingTooDeep() {
        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        XCTAssertTrue(errorText(deep).contains("error: nesting too deep (more than 400 levels)"), errorText(deep))
        XCTAssertEqual(evaluate(String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)), "1")
    }
}
