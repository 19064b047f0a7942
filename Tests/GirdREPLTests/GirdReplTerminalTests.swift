import Foundation
import XCTest

/// The real `gird-repl` on a pseudo-terminal, as a user's terminal runs it:
/// line editing, completion from the interpreter, history, multi-line
/// entries, Ctrl-C and Ctrl-D, errors with the caret, commands, colours.
/// (The terminal turns each "\n" the program writes into "\r\n".)
final class GirdReplTerminalTests: XCTestCase {
    var repl: TestProgram!

    override func setUpWithError() throws { repl = try TestProgram("gird-repl") }
    override func tearDown() { repl.remove() }

    /// Types `line` and Enter at the next prompt after `position`; gives the
    /// offset after the output `expected`, then after the next prompt.
    @discardableResult
    private func enter(_ line: String, expect expected: String, on terminal: PseudoTerminal, after position: Int,
                       file: StaticString = #filePath, lineNumber: UInt = #line) -> Int {
        terminal.send(line + "\r")
        let shown = expected.isEmpty ? position : terminal.waitFor(expected, after: position, file: file, line: lineNumber)
        return terminal.waitFor(">>> ", after: shown, file: file, line: lineNumber)
    }

    private func leave(_ terminal: PseudoTerminal, file: StaticString = #filePath, line: UInt = #line) {
        terminal.send("\u{4}")
        XCTAssertEqual(terminal.waitForExit(), 0, file: file, line: line)
    }

    func testBannerAndCompletionOfABuiltinAndAMember() throws {
        let terminal = try repl.startOnTerminal()
        var position = terminal.waitFor(":help")
        position = terminal.waitFor(">>> ", after: position)
        position = enter("pri\t(\"done\")", expect: "\r\ndone\r\n", on: terminal, after: position)  // pri<Tab> → print
        position = enter("let t = zeros([2, 2])", expect: "", on: terminal, after: position)
        position = enter("t.sh\t", expect: "\r\n[2, 2]\r\n", on: terminal, after: position)         // t.sh<Tab> → t.shape
        terminal.send("mo\t\t")  // "model" and "models": the second Tab lists both
        position = terminal.waitFor("model", after: terminal.waitFor("models", after: position))
        terminal.send("\u{3}")
        terminal.waitFor(">>> ", after: position)
        leave(terminal)
    }

    func testHistoryIsRecalledAfterARestart() throws {
        let first = try repl.startOnTerminal()
        enter("1 + 41", expect: "\r\n42\r\n", on: first, after: first.waitFor(">>> "))
        leave(first)
        XCTAssertEqual(try String(contentsOfFile: repl.historyPath, encoding: .utf8), "1 + 41\n")

        let second = try repl.startOnTerminal()
        enter("\u{1B}[A", expect: "\r\n42\r\n", on: second, after: second.waitFor(">>> "))  // ↑, Enter
        leave(second)
    }

    func testAMultiLineFunctionDefinitionOnTheContinuationPrompt() throws {
        let terminal = try repl.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("fn double(x) {\r")
        position = terminal.waitFor("... ", after: position)
        terminal.send("x * 2 +\r")  // a trailing operator continues too
        position = terminal.waitFor("... ", after: position)
        terminal.send("0 }\r")
        position = terminal.waitFor(">>> ", after: position)
        enter("double(21)", expect: "\r\n42\r\n", on: terminal, after: position)
        leave(terminal)
        XCTAssertEqual(try String(contentsOfFile: repl.historyPath, encoding: .utf8), "fn double(x) {\\nx * 2 +\\n0 }\ndouble(21)\n")
    }

    /// Issue 15: a line typed while a statement runs shows once, at the next
    /// prompt, not also echoed by the terminal in the middle of the output.
    func testALineTypedAheadIsEchoedOnce() throws {
        let terminal = try repl.startOnTerminal()
        var position = enter("var i = 0", expect: "", on: terminal, after: terminal.waitFor(">>> "))
        terminal.send("while i < 20000000 { i = i + 1 }\r")
        usleep(300_000)
        terminal.send("40 + 2\r")
        position = terminal.waitFor("\r\n42\r\n", after: position, timeout: 60)
        // At the prompt again before Ctrl-D: one typed while a statement runs
        // meets the terminal's line discipline, not the editor.
        position = terminal.waitFor(">>> ", after: position)
        let shown = terminal.output.components(separatedBy: "40 + 2").count - 1
        XCTAssertEqual(shown, 1, terminal.output)
        leave(terminal)
    }

    func testCtrlCStopsALongLoopAndKeepsTheBindings() throws {
        let terminal = try repl.startOnTerminal()
        var position = enter("var i = 0", expect: "", on: terminal, after: terminal.waitFor(">>> "))
        terminal.send("while true { i = i + 1 }\r")
        usleep(500_000)
        XCTAssertNil(terminal.waitForExit(timeout: 0.1))  // still looping
        terminal.send("\u{3}")
        position = terminal.waitFor(">>> ", after: terminal.waitFor("interrupted", after: position))
        enter("i > 0", expect: "\r\ntrue\r\n", on: terminal, after: position)
        leave(terminal)
    }

    func testCtrlCStopsATrainingRunWithACheckpointThatResumes() throws {
        let run = repl.home.appendingPathComponent("run").path
        let terminal = try repl.startOnTerminal(arguments: ["--allow-write", repl.home.path])
        var position = terminal.waitFor(">>> ")
        position = enter("let data = fashion_mnist(split: \"test\").subset(2000, seed: 1)", expect: "", on: terminal, after: position)
        position = enter("let m = model(\"resnet8\", classes: 10, in_channels: 1)", expect: "", on: terminal, after: position)
        terminal.send("train(m, data, epochs: 1, batch_size: 32, out: \"\(run)\")\r")
        position = terminal.waitFor("batch 2/63", after: position, timeout: 60)
        terminal.send("\u{3}")
        // Stopped between steps: the message says where the checkpoint is.
        position = terminal.waitFor("in a recipe: resume(\"\(run)\")", after: position, timeout: 30)
        position = terminal.waitFor(">>> ", after: position)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/checkpoint.safetensors"))
        position = enter("m.params()", expect: "\r\n77754\r\n", on: terminal, after: position)
        terminal.send("resume(\"\(run)\").dir\r")
        terminal.waitFor(">>> ", after: terminal.waitFor("\r\n\"\(run)\"\r\n", after: position, timeout: 120))
        leave(terminal)
    }

    func testCtrlCAtThePromptClearsTheLineAndTheStatement() throws {
        let terminal = try repl.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("half typed")
        position = terminal.waitFor("half typed", after: position)
        terminal.send("\u{3}")
        position = enter("6 * 7", expect: "\r\n42\r\n", on: terminal, after: terminal.waitFor(">>> ", after: position))
        terminal.send("[1,\r")
        position = terminal.waitFor("... ", after: position)
        terminal.send("\u{3}")  // drops the unfinished list
        enter("2 * 3", expect: "\r\n6\r\n", on: terminal, after: terminal.waitFor(">>> ", after: position))
        XCTAssertFalse(terminal.contains("half typed6"))
        leave(terminal)
    }

    func testCtrlDLeavesWithStatusZero() throws {
        let terminal = try repl.startOnTerminal()
        terminal.waitFor(">>> ")
        leave(terminal)
    }

    func testASyntaxErrorIsReportedWithTheCaret() throws {
        let terminal = try repl.startOnTerminal()
        let position = enter("print(1))", expect: "<repl>:1:9: error: unmatched ')'\r\n    print(1))\r\n            ^\r\n",
                             on: terminal, after: terminal.waitFor(">>> "))
        // A runtime error too, and the session goes on.
        enter("[1][3]", expect: "<repl>:1:", on: terminal, after: position)
        leave(terminal)
    }

    func testCommands() throws {
        let terminal = try repl.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        position = enter(":help print", expect: "print(values...)\r\n    prints the values", on: terminal, after: position)
        position = enter(":help", expect: "views: show heatmap relations", on: terminal, after: position)
        position = enter(":hlep", expect: "unknown command ':hlep'; did you mean ':help'?", on: terminal, after: position)
        position = enter(":ty\t zeros([2, 3])", expect: "tensor [2, 3] float32", on: terminal, after: position)
        position = enter(":ti\t 6 * 7", expect: "time: wall ", on: terminal, after: position)
        let recipe = repl.home.appendingPathComponent("loaded.recipe")
        try "let loaded = 5\n".write(to: recipe, atomically: true, encoding: .utf8)
        position = enter(":load \(recipe.path)", expect: "", on: terminal, after: position)
        position = enter("loaded * 2", expect: "\r\n10\r\n", on: terminal, after: position)
        position = enter("_ + 1", expect: "\r\n11\r\n", on: terminal, after: position)
        position = enter(":reset", expect: "all bindings cleared", on: terminal, after: position)
        enter("loaded", expect: "unknown name 'loaded'", on: terminal, after: position)
        terminal.send(":q\r")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testShowDrawsInTheColoursTheTerminalAnnounces() throws {
        let plain = try repl.startOnTerminal()
        enter("show(tensor([[0, 1], [2, 3]]))", expect: "\u{1B}[38;5;", on: plain, after: plain.waitFor(">>> "))
        leave(plain)
        repl.extraEnvironment = ["COLORTERM": "truecolor"]
        let rich = try repl.startOnTerminal()
        enter("show(tensor([[0, 1], [2, 3]]))", expect: "\u{1B}[38;2;", on: rich, after: rich.waitFor(">>> "))
        leave(rich)
    }

    func testInteractiveAfterAFile() throws {
        let recipe = repl.home.appendingPathComponent("answer.recipe")
        try "let answer = 6 * 7\n".write(to: recipe, atomically: true, encoding: .utf8)
        let terminal = try repl.startOnTerminal(arguments: ["-i", recipe.path])
        enter("answer", expect: "\r\n42\r\n", on: terminal, after: terminal.waitFor(">>> "))
        leave(terminal)

        // A file that fails: its error, then the session with what it bound before.
        try "let before = 1\nassert false, \"stop\"\n".write(to: recipe, atomically: true, encoding: .utf8)
        let afterError = try repl.startOnTerminal(arguments: ["-i", recipe.path])
        let position = afterError.waitFor(">>> ", after: afterError.waitFor("error: assertion failed: stop"))
        enter("before + 1", expect: "\r\n2\r\n", on: afterError, after: position)
        leave(afterError)
    }

    func testViKeysFromEditrc() throws {
        // `bind -v` in ~/.editrc: Escape enters command mode, `0` goes to the
        // start of the line, `i` inserts there; Tab completes in insert mode.
        try "bind -v\n".write(to: repl.home.appendingPathComponent(".editrc"), atomically: true, encoding: .utf8)
        let terminal = try repl.startOnTerminal()
        var position = enter("pri\t(\"vi\")", expect: "\r\nvi\r\n", on: terminal, after: terminal.waitFor(">>> "))
        position = enter("+ 1\u{1B}0i41 ", expect: "\r\n42\r\n", on: terminal, after: position)
        leave(terminal)
    }
}

/// gird-repl on a pipe: stdin is one program, no prompt, no escape codes.
final class GirdReplPipeTests: XCTestCase {
    func testAProgramOnAPipe() throws {
        let repl = try TestProgram("gird-repl")
        defer { repl.remove() }
        let result = try repl.runOnPipe("let x = 1 +\n  1\nprint(x)\nshow(tensor([[0, 1], [2, 3]]))\n")
        XCTAssertEqual(result.output, "2\nTensor [2, 2] float32  min 0  mean 1.5  max 3  NaN 0\n")
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.status, 0)
        XCTAssertFalse(result.output.contains("\u{1B}"))
        XCTAssertFalse(result.output.contains(">>>"))
    }

    func testErrorsGoToStderrAndStopTheProgram() throws {
        let repl = try TestProgram("gird-repl")
        defer { repl.remove() }
        let result = try repl.runOnPipe("print(\"before\")\nprint(1 + \"a\")\nprint(\"after\")\n")
        XCTAssertEqual(result.output, "before\n")
        XCTAssertEqual(result.errors, "<stdin>:2:7: error: unsupported operand types for '+': int and string\n    print(1 + \"a\")\n          ^~~~~~~\n")
        XCTAssertEqual(result.status, 1)
    }
}
