import XCTest
@testable import GirdREPL

final class ReplCommandTests: XCTestCase {
    func parse(_ line: String) -> String {
        do { return "\(try ReplCommand.parse(line))" } catch { return "error: \(error)" }
    }

    func testCommands() throws {
        XCTAssertEqual(try ReplCommand.parse(":help"), .help(topic: nil))
        XCTAssertEqual(try ReplCommand.parse("  :help distill "), .help(topic: "distill"))
        XCTAssertEqual(try ReplCommand.parse(":type m.taps()"), .type(expression: "m.taps()"))
        XCTAssertEqual(try ReplCommand.parse(":time evaluate(m, test)"), .time(expression: "evaluate(m, test)"))
        XCTAssertEqual(try ReplCommand.parse(":load recipes/kd.recipe"), .load(path: "recipes/kd.recipe"))
        XCTAssertEqual(try ReplCommand.parse(":load \"my runs/a.recipe\""), .load(path: "my runs/a.recipe"))
        XCTAssertEqual(try ReplCommand.parse(":reset"), .reset)
        XCTAssertEqual(try ReplCommand.parse(":quit"), .quit)
        XCTAssertEqual(try ReplCommand.parse(":q"), .quit)
        XCTAssertEqual(try ReplCommand.parse(":ty x"), .type(expression: "x"))
    }

    func testErrors() {
        XCTAssertEqual(parse(":hlep"), "error: unknown command ':hlep'; did you mean ':help'?")
        XCTAssertEqual(parse(":lod f"), "error: unknown command ':lod'; did you mean ':load'?")
        XCTAssertEqual(parse(":xyzzy"), "error: unknown command ':xyzzy'; known commands: :help :type :time :load :reset :quit")
        XCTAssertEqual(parse(":t x"), "error: ':t' could be ':type' or ':time'")
        XCTAssertEqual(parse(":type"), "error: :type needs an expression")
        XCTAssertEqual(parse(":load"), "error: :load needs a file")
        XCTAssertEqual(parse(":reset now"), "error: :reset takes no argument")
    }

    func testCompletionOfCommands() {
        XCTAssertEqual(ReplCommand.completions(of: ":t"), [":type", ":time"])
        XCTAssertEqual(ReplCommand.completions(of: ":"), [":help", ":type", ":time", ":load", ":reset", ":quit"])
        XCTAssertEqual(ReplCommand.completions(of: "t"), [])
    }

    func testDurations() {
        XCTAssertEqual(ReplSession.duration(0.000_42), "0.42 ms")
        XCTAssertEqual(ReplSession.duration(0.0123), "12.3 ms")
        XCTAssertEqual(ReplSession.duration(1.254), "1.25 s")
    }
}
