import Glibc
import XCTest
@testable import GirdREPL

final class InterruptTests: XCTestCase {
    func testSIGINTSetsTheFlagThatCheckConsumes() throws {
        Interrupt.install()
        Interrupt.reset()
        XCTAssertNoThrow(try Interrupt.check())
        raise(SIGINT)  // handled: the test process goes on
        XCTAssertTrue(Interrupt.isPending)
        XCTAssertThrowsError(try Interrupt.check()) { XCTAssertEqual($0 as? Interrupted, Interrupted()) }
        XCTAssertFalse(Interrupt.isPending)
        raise(SIGINT)
        Interrupt.reset()
        XCTAssertNoThrow(try Interrupt.check())
    }
}
