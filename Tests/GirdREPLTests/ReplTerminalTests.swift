import Foundation
import XCTest

/// The REPL's interactive behaviour, through a pseudo-terminal, on the
/// `gird-line-demo` fixture (ReplSession with an echoing evaluator).
final class ReplTerminalTests: XCTestCase {
    var demo: DemoProgram!

    override func setUpWithError() throws { demo = try DemoProgram() }
    override func tearDown() { demo.remove() }

    func testCompletesABuiltinAndAMember() throws {
        let terminal = try demo.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("tra\t\r")       // the only builtin starting with "tra"
        position = terminal.waitFor(">>> ", after: terminal.waitFor("echo: train", after: position))
        terminal.send("model.fe\t\r")  // a member after "."
        position = terminal.waitFor(">>> ", after: terminal.waitFor("echo: model.features", after: position))
        terminal.send("mo\t\t")        // "model" and "models": the second Tab lists both
        position = terminal.waitFor("model   models", after: position)
        terminal.send("\u{3}")
        terminal.waitFor(">>> ", after: position)
        terminal.send("\u{4}")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testHistoryIsRecalledAfterARestart() throws {
        let first = try demo.startOnTerminal()
        first.waitFor(">>> ")
        first.send("remember this line\r")
        let shown = first.waitFor("echo: remember this line")
        // Keys typed before the next prompt would reach the terminal in its
        // line mode, where Ctrl-D is not a key: wait for the prompt first.
        first.waitFor(">>> ", after: shown)
        first.send("\u{4}")
        XCTAssertEqual(first.waitForExit(), 0)
        XCTAssertEqual(try String(contentsOfFile: demo.historyPath, encoding: .utf8), "remember this line\n")

        let second = try demo.startOnTerminal()
        let position = second.waitFor(">>> ")
        second.send("\u{1B}[A\r")  // arrow up, Enter
        second.waitFor(">>> ", after: second.waitFor("echo: remember this line", after: position))
        second.send("\u{4}")
        XCTAssertEqual(second.waitForExit(), 0)
    }

    func testAnOpenBraceContinuesOnTheContinuationPrompt() throws {
        let terminal = try demo.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("fn double(x) {\r")
        position = terminal.waitFor("... ", after: position)
        terminal.send("x * 2 +\r")
        position = terminal.waitFor("... ", after: position)
        terminal.send("0 }\r")
        position = terminal.waitFor(">>> ", after: terminal.waitFor("echo: fn double(x) { | x * 2 + | 0 }", after: position))
        // ↑ recalls the three lines as one entry, and Enter runs them again.
        terminal.send("\u{1B}[A")
        position = terminal.waitFor("0 }", after: position)
        terminal.send("\r")
        terminal.waitFor(">>> ", after: terminal.waitFor("echo: fn double(x) { | x * 2 + | 0 }", after: position))
        terminal.send("\u{4}")
        XCTAssertEqual(terminal.waitForExit(), 0)
        // One history entry for the three lines.
        XCTAssertEqual(try String(contentsOfFile: demo.historyPath, encoding: .utf8), "fn double(x) {\\nx * 2 +\\n0 }\n")
    }

    func testCtrlCStopsALongLoopAndKeepsTheBindings() throws {
        let terminal = try demo.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("answer = 42\r")
        position = terminal.waitFor(">>> ", after: position)
        terminal.send("loop\r")
        position = terminal.waitFor("looping", after: position)
        usleep(200_000)
        terminal.send("\u{3}")
        position = terminal.waitFor("interrupted", after: position)
        position = terminal.waitFor(">>> ", after: position)
        terminal.send("answer\r")
        terminal.waitFor(">>> ", after: terminal.waitFor("42", after: position))
        terminal.send("\u{4}")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testThreeCtrlCsLeaveAComputationWithoutSafePoints() throws {
        let terminal = try demo.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("hang\r")
        position = terminal.waitFor("hanging", after: position)
        terminal.send("\u{3}")
        usleep(100_000)
        XCTAssertNil(terminal.waitForExit(timeout: 0.3))  // one Ctrl-C waits for a safe point
        terminal.send("\u{3}")
        usleep(100_000)
        terminal.send("\u{3}")
        XCTAssertEqual(terminal.waitForExit(), 130)
        XCTAssertTrue(terminal.contains("interrupted three times without reaching a safe point; leaving", after: position))
    }

    func testCtrlCAtThePromptClearsTheLine() throws {
        let terminal = try demo.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("half typed")
        position = terminal.waitFor("half typed", after: position)
        terminal.send("\u{3}")
        position = terminal.waitFor(">>> ", after: position)
        terminal.send("fresh\r")
        terminal.waitFor(">>> ", after: terminal.waitFor("echo: fresh", after: position))
        XCTAssertFalse(terminal.contains("half typedfresh"))
        terminal.send("\u{4}")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testCtrlCOnAContinuationLineDropsTheStatement() throws {
        let terminal = try demo.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("[1,\r")
        position = terminal.waitFor("... ", after: position)
        terminal.send("\u{3}")
        position = terminal.waitFor(">>> ", after: position)
        terminal.send("after\r")
        terminal.waitFor(">>> ", after: terminal.waitFor("echo: after", after: position))
        terminal.send("\u{4}")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testCtrlDLeavesWithStatusZero() throws {
        let terminal = try demo.startOnTerminal()
        terminal.waitFor(">>> ")
        terminal.send("\u{4}")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testCommands() throws {
        let terminal = try demo.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send(":hlep\r")
        position = terminal.waitFor("unknown command ':hlep'; did you mean ':help'?", after: position)
        position = terminal.waitFor(">>> ", after: position)
        terminal.send(":ti\t hello\r")  // ":ti" completes to ":time"
        position = terminal.waitFor("echo: hello", after: position)
        position = terminal.waitFor("time: ", after: position)
        terminal.waitFor(">>> ", after: position)
        terminal.send(":q\r")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }

    func testViKeysFromEditrc() throws {
        // `bind -v` in ~/.editrc: Escape enters command mode, `0` goes to the
        // start of the line, `i` inserts there.
        try "bind -v\n".write(to: demo.home.appendingPathComponent(".editrc"), atomically: true, encoding: .utf8)
        let terminal = try demo.startOnTerminal()
        var position = terminal.waitFor(">>> ")
        terminal.send("tra\t\r")  // Tab completes in vi's insert mode too
        position = terminal.waitFor(">>> ", after: terminal.waitFor("echo: train", after: position))
        terminal.send("world\u{1B}0ihello \r")
        terminal.waitFor(">>> ", after: terminal.waitFor("echo: hello world", after: position))
        terminal.send("\u{4}")
        XCTAssertEqual(terminal.waitForExit(), 0)
    }
}
