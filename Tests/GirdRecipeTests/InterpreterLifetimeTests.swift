import XCTest
@testable import GirdRecipe

/// Found by fuzzing (LeakSanitizer): a session's functions live in its
/// globals and capture its context, so a dropped interpreter kept its whole
/// session, 32 MiB of frame stack included, in any program that makes many.
final class InterpreterLifetimeTests: XCTestCase {
    func testADroppedInterpreterFreesItsSession() throws {
        weak var context: InterpreterContext?
        try { () throws -> Void in
            var options = InterpreterOptions()
            options.output = { _ in }
            let interpreter = Interpreter(options: options)
            context = interpreter.context
            XCTAssertEqual(try interpreter.run(source: "fn f(x) { if x < 1 { 0 } else { f(x - 1) } }\nlet g = fn(y) { f(y) }\ng(3)").repr, "0")
        }()
        // The interpreter runs on a thread of its own (BigStack), which lets
        // go of its closure, and the session with it, a moment after it returns.
        for _ in 0..<200 where context != nil { usleep(5_000) }
        XCTAssertNil(context, "the context outlived its interpreter")
    }
}
