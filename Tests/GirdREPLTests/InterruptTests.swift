import Glibc
import GirdInterrupt
import XCTest
@testable import GirdREPL

final class InterruptTests: XCTestCase {
    func testSIGINTSetsTheFlagThatCheckConsumes() throws {
        Interrupt.install()
        Interrupt.clear()
        XCTAssertNoThrow(try Interrupt.check())
        raise(SIGINT)  // handled: the test process goes on
        XCTAssertTrue(Interrupt.isPending)
        XCTAssertThrowsError(try Interrupt.check()) { XCTAssertEqual($0 as? Interrupted, Interrupted()) }
        XCTAssertFalse(Interrupt.isPending)
        raise(SIGINT)
        Interrupt.clear()
        XCTAssertNoThrow(try Interrupt.check())
    }
}
