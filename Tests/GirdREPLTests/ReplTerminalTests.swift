import Foundation
import XCTest

/// What only a computation without safe points can show, on the
/// `gird-line-demo` fixture (ReplSession with an echoing evaluator whose
/// `hang` never checks for Ctrl-C): the recipe interpreter reaches a safe
/// point on every loop iteration, so the real gird-repl cannot be made to
/// hang on purpose. Everything else is tested on gird-repl itself
/// (`GirdReplTerminalTests`).
final class ReplTerminalTests: XCTestCase {
    var demo: TestProgram!

    override func setUpWithError() throws { demo = try TestProgram("gird-line-demo") }
    override func tearDown() { demo.remove() }

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
}
