import XCTest
import GirdTensor
@testable import GirdRecipe

final class CommandLineToolTests: XCTestCase {
    private func recipeFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gird-\(UUID().uuidString).recipe").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testExpressionPrintsItsValue() {
        let result = runCommandLine(["-e", "let x = 20\nx + 22"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, "42\n")
        XCTAssertEqual(runCommandLine(["-e", "print(\"hi\")"]).output, "hi\n")
    }

    /// `--threads auto` takes the cores the load leaves free (at least one) and says so.
    func testThreadsAutoSaysWhatItChose() throws {
        let result = runCommandLine(["--threads", "auto", "-e", "print(1)"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, "1\n")
        let chosen = ComputeThreads.freeCores()
        XCTAssertTrue((1...ComputeThreads.defaultCount).contains(chosen))
        XCTAssertTrue(result.errors.hasPrefix("gird-repl: --threads auto: "), result.errors)
        XCTAssertTrue(result.errors.hasSuffix(" of \(ComputeThreads.defaultCount) cores\n"), result.errors)
        try ComputeThreads.set(ComputeThreads.defaultCount)
    }

    func testExitStatuses() throws {
        XCTAssertEqual(runCommandLine(["-e", "1 +"]).status, 1)
        XCTAssertEqual(runCommandLine(["-e", "assert false, \"no\""]).status, 1)
        XCTAssertEqual(runCommandLine(["-e", "nope"]).status, 1)
        XCTAssertEqual(runCommandLine(["--bogus"]).status, 2)
        XCTAssertEqual(runCommandLine(["/nonexistent/file.recipe"]).status, 2)
        XCTAssertEqual(runCommandLine(["--threads", "zero", "-e", "1"]).status, 2)
        XCTAssertEqual(runCommandLine([]).status, 2)     // a terminal and no file, and no REPL plugged in (only gird-repl's main has one)
        XCTAssertEqual(runCommandLine(["--help"]).status, 0)
        XCTAssertEqual(runCommandLine(["-e", "1", "x.recipe"]).status, 2)
        let error = runCommandLine(["-e", "1 + \"a\""])
        XCTAssertEqual(error.errors, """
            <-e>:1:1: error: unsupported operand types for '+': int and string
                1 + "a"
                ^~~~~~~

            """)
    }

    func testPipedStandardInputIsOneProgram() {
        let result = runCommandLine([], stdin: "let a = 2\nprint(a * 21)\n")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, "42\n")
        XCTAssertEqual(runCommandLine([], stdin: "print(").errors, """
            <stdin>:1:6: error: '(' was never closed
                print(
                     ^

            """)
    }

    func testSetOverridesParamsAndDryRunPrintsThem() throws {
        let path = try recipeFile("param lr = 0.05\nparam pool = \"gap\"\nparam bank = [0]\nprint(\"lr is \\(lr)\")\n")
        let run = runCommandLine([path, "--set", "lr=0.1", "--set", "bank=[0, 4096]"])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.output, "lr is 0.1\n")
        let dry = runCommandLine(["--dry-run", "--set", "pool=\"max\"", path])
        XCTAssertEqual(dry.status, 0, dry.errors)
        XCTAssertEqual(dry.output, "lr is 0.05\nlr = 0.05\npool = \"max\"\nbank = [0]\n")
        let unknown = runCommandLine([path, "--set", "lrr=1"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.errors, "gird-repl: --set lrr: the recipe has no param 'lrr'; did you mean 'lr'?\n")
        let bad = runCommandLine([path, "--set", "lr=fast"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.errors, "gird-repl: --set lr: 'fast' is not a recipe literal (a number, \"text\" in quotes, true, false, none, or a list or record of those)\n")
        XCTAssertEqual(runCommandLine([path, "--set", "lr"]).errors, "gird-repl: --set needs NAME=VALUE, got 'lr'\n")
    }

    func testSetTakesABareWordForAStringParam() throws {
        let path = try recipeFile("param out = \"runs/default\"\nparam lr = 0.05\nprint(out)\n")
        let run = runCommandLine([path, "--set", "out=runs/x"])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.output, "runs/x\n")
        // Quoted, it is the same string; numbers and lists still parse as literals.
        XCTAssertEqual(runCommandLine([path, "--set=out=\"runs/y\""]).output, "runs/y\n")
        let number = runCommandLine([path, "--set", "out=3"])
        XCTAssertEqual(number.status, 1)
        XCTAssertEqual(number.errors.components(separatedBy: "\n")[0],
                       "\(path):1:7: error: --set out=3: the param's default is a string (\"runs/default\"), not an int")
        let bad = runCommandLine([path, "--set", "lr=fast"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.errors, "gird-repl: --set lr: 'fast' is not a recipe literal (a number, \"text\" in quotes, true, false, none, or a list or record of those)\n")
    }

    func testSetValuesAreRecipeLiterals() throws {
        XCTAssertEqual(try LiteralParser.parse("-3").repr, "-3")
        XCTAssertEqual(try LiteralParser.parse("[0, 4096]").repr, "[0, 4096]")
        XCTAssertEqual(try LiteralParser.parse("{a: 1.5, b: \"x\"}").repr, "{a: 1.5, b: \"x\"}")
        XCTAssertEqual(try LiteralParser.parse("true").repr, "true")
        XCTAssertThrowsError(try LiteralParser.parse("1 + 2"))
    }

    func testRecipeArgumentsAndErrorsInFiles() throws {
        let path = try recipeFile("print(args())\nfn f() {\n  1 / 0\n}\nf()\n")
        let result = runCommandLine([path, "a", "b"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.output, "[\"a\", \"b\"]\n")
        XCTAssertEqual(result.errors, """
            \(path):3:3: error: division by zero
                  1 / 0
                  ^~~~~
            traceback (innermost last):
                \(path):5:1: in <top level>
                \(path):3:3: in f

            """)
    }

    func testBuiltinsMarkdown() {
        let result = runCommandLine(["--list-builtins-markdown"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("| `model(name, classes: 100, in_channels: 3, head: \"classifier\", last_stride: 2)` |"), result.output)
    }
}

final class InteractiveSessionHookTests: XCTestCase {
    func testTheSessionGetsTheInterpreterOfTheFileOrAFreshOne() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gird-\(UUID().uuidString).recipe").path
        try "let answer = 42\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var seen: [String] = []
        CommandLineTool.interactiveSession = { interpreter in
            seen.append(interpreter.globalValue(named: "answer")?.repr ?? "unbound")
            return 7
        }
        defer { CommandLineTool.interactiveSession = nil }
        XCTAssertEqual(runCommandLine(["-i", path]).status, 7)  // the session's status
        XCTAssertEqual(runCommandLine([]).status, 7)            // a terminal, no file
        XCTAssertEqual(runCommandLine(["-e", "1"]).status, 0)    // -e never starts it
        XCTAssertEqual(seen, ["42", "unbound"])
    }
}

final class LibraryTuningTests: XCTestCase {
    func testOnlyComputingRunsRestartWithTunedLibraries() {
        XCTAssertFalse(CommandLineTool.benefitsFromTunedLibraries(["-e", "1 + 1"]))
        XCTAssertFalse(CommandLineTool.benefitsFromTunedLibraries(["--version"]))
        XCTAssertFalse(CommandLineTool.benefitsFromTunedLibraries(["-e", "let trained = 1"]))  // words, not substrings
        XCTAssertTrue(CommandLineTool.benefitsFromTunedLibraries(["-e", "train(m, d, epochs: 1)"]))
        XCTAssertTrue(CommandLineTool.benefitsFromTunedLibraries(["-e", "import \"x.recipe\""]))
        XCTAssertTrue(CommandLineTool.benefitsFromTunedLibraries(["run.recipe"]))
        XCTAssertTrue(CommandLineTool.benefitsFromTunedLibraries([]))
    }

    /// The names come from the registry (builtins marked `computes`), not a list of their own.
    func testTheComputingNamesAreTheRegistrys() {
        XCTAssertEqual(CommandLineTool.computeNames, ["train", "distill", "resume", "evaluate", "import", "model",
                                                      "load_weights", "relations", "summary", "export_onnx", "reid_eval", "reid_strip"])
        XCTAssertTrue(CommandLineTool.benefitsFromTunedLibraries(["-e", "evaluate(m, d)"]))
    }
}
