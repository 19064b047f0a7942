import XCTest
@testable import GirdRecipe

/// Every kind of error, with its exact text.
final class ErrorTests: XCTestCase {
    func testUnknownNameSuggestsTheClosest() {
        XCTAssertEqual(errorText("let results = []\nprint(len(resluts))"), """
            <-e>:2:11: error: unknown name 'resluts'; did you mean 'results'?
                print(len(resluts))
                          ^~~~~~~

            """)
        XCTAssertEqual(errorText("pritn(1)"), """
            <-e>:1:1: error: unknown name 'pritn'; did you mean 'print'?
                pritn(1)
                ^~~~~

            """)
    }

    /// Issue 15: a longer name for a local binding (`dataset` for `data`) is
    /// too many edits away, but begins with the binding's name.
    func testUnknownNameSuggestsABindingItBeginsWith() {
        XCTAssertEqual(errorText("let data = 1\nprint(dataset)"), """
            <-e>:2:7: error: unknown name 'dataset'; did you mean 'data'?
                print(dataset)
                      ^~~~~~~

            """)
        // The rule itself (prefixes of 3 letters or more, names in scope only) is
        // tested in GirdSuggestionsTests.
    }

    func testTypeError() {
        XCTAssertEqual(errorText("let x = 1 + \"a\""), """
            <-e>:1:9: error: unsupported operand types for '+': int and string
                let x = 1 + "a"
                        ^~~~~~~

            """)
        XCTAssertEqual(errorText("if 1 { 2 }"), """
            <-e>:1:4: error: an if condition must be a bool, got int
                if 1 { 2 }
                   ^

            """)
    }

    func testValueErrors() {
        XCTAssertEqual(errorText("let z = 10 // (5 - 5)"), """
            <-e>:1:9: error: division by zero
                let z = 10 // (5 - 5)
                        ^~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("9223372036854775807 + 1"), """
            <-e>:1:1: error: integer overflow: 9223372036854775807 + 1 does not fit in 64 bits
                9223372036854775807 + 1
                ^~~~~~~~~~~~~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("[1, 2][5]"), """
            <-e>:1:1: error: list index 5 out of range (size 2)
                [1, 2][5]
                ^~~~~~~~~

            """)
        XCTAssertEqual(errorText("let r = {acc: 1}\nr.acc_top1"), """
            <-e>:2:3: error: the record has no field 'acc_top1' (its fields: acc)
                r.acc_top1
                  ^~~~~~~~

            """)
    }

    func testLetCannotBeReassigned() {
        XCTAssertEqual(errorText("let x = 1\nx = 2"), """
            <-e>:2:1: error: cannot assign to 'x': it was declared with 'let' (use 'var' for a variable)
                x = 2
                ^

            """)
        XCTAssertEqual(errorText("let x = 1\nlet x = 2"), """
            <-e>:2:5: error: 'x' is already defined (at <-e>:1:5)
                let x = 2
                    ^

            """)
    }

    func testWrongArguments() {
        XCTAssertEqual(errorText("range(1, 2, 3, 4)"), """
            <-e>:1:1: error: range(): takes 1 to 3 arguments (n, or start, end, step), got 4
                range(1, 2, 3, 4)
                ^~~~~~~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("len([1], [2])"), """
            <-e>:1:1: error: len() takes 1 positional argument but 2 were given
                len([1], [2])
                ^~~~~~~~~~~~~

            """)
        XCTAssertEqual(errorText("sorted([2, 1], revers: true)"), """
            <-e>:1:16: error: sorted() has no parameter 'revers'; did you mean 'reverse'?
                sorted([2, 1], revers: true)
                               ^~~~~~

            """)
        XCTAssertEqual(errorText("fn ramp(epoch, warmup: 5) { epoch }\nramp(1, warmup: 2, warmup: 3)"), """
            <-e>:2:20: error: ramp() got the argument 'warmup' twice
                ramp(1, warmup: 2, warmup: 3)
                                   ^~~~~~

            """)
        XCTAssertEqual(errorText("fn ramp(epoch, warmup: 5) { epoch }\nramp(1, 2)"), """
            <-e>:2:1: error: ramp() takes 1 positional argument but 2 were given (warmup must be named: warmup: ...)
                ramp(1, 2)
                ^~~~~~~~~~

            """)
        XCTAssertEqual(errorText("fn f(a, b) { a }\nf(b: 1)"), """
            <-e>:2:1: error: f() is missing the argument 'a'
                f(b: 1)
                ^~~~~~~

            """)
        XCTAssertEqual(errorText("zeros()"), """
            <-e>:1:1: error: zeros() is missing the argument 'shape'
                zeros()
                ^~~~~~~

            """)
    }

    func testEngineErrorInsideARecipeFunctionHasATraceback() {
        XCTAssertEqual(errorText("fn flat(t) {\n    t.reshape([5])\n}\nfn outer() { flat(zeros([2, 3])) }\nouter()"), """
            <-e>:2:5: error: reshape: shapes [2, 3] and [5] do not match
                    t.reshape([5])
                    ^~~~~~~~~~~~~~
            traceback (innermost last):
                <-e>:5:1: in <top level>
                <-e>:4:14: in outer
                <-e>:2:5: in flat

            """)
    }

    func testErrorsNameTheirFile() throws {
        let interpreter = Interpreter()
        XCTAssertThrowsError(try interpreter.run(SourceFile(name: "recipes/ablate.recipe", text: "let student = model(\"resnet8x5\", classes: 10)"))) { error in
            XCTAssertEqual((error as? RecipeError)?.description, """
                recipes/ablate.recipe:1:15: error: unknown model 'resnet8x5'; did you mean 'resnet8x4'?
                    let student = model("resnet8x5", classes: 10)
                                  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~

                """)
        }
    }
}
