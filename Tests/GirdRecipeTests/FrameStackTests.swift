import XCTest
@testable import GirdRecipe

/// The stack calls take their frames from.
final class FrameStackTests: XCTestCase {
    func testFramesArePushedAndPoppedInPlace() {
        let slotSize = MemoryLayout<Value>.stride, headerSize = MemoryLayout<FrameHeader>.stride
        let stack = FrameStack(bytes: 2 * (headerSize + 3 * slotSize))
        let first = stack.push(count: 3, parameters: 1, parent: nil)!
        first.bind(0, to: .string("kept"))
        XCTAssertEqual(first.slots[1].repr, "none")
        let second = stack.push(count: 3, parameters: 0, parent: first)!
        XCTAssertEqual(second.parent?.slots[0].repr, "\"kept\"")
        // Full: the call takes a heap frame instead.
        XCTAssertNil(stack.push(count: 1, parameters: 0, parent: nil))
        second.returnValue = .list([.int(1)])
        second.control = .returned
        stack.pop(second)
        // The popped frame's place is the next frame's.
        let third = stack.push(count: 3, parameters: 0, parent: nil)!
        XCTAssertEqual(third.slots, second.slots)
        XCTAssertEqual(third.control, .normal)
        stack.pop(third)
        stack.pop(first)
    }

    func testAHeapFrameKeepsItsParentAlive() {
        var parent: FrameBox? = FrameBox.make(count: 1, parent: nil)
        parent!.frame.slots[0] = .int(7)
        let child = FrameBox.make(count: 1, parent: parent)
        parent = nil
        XCTAssertEqual(child.frame.ancestor(1).slots[0].repr, "7")
        XCTAssertTrue(child.frame.box === child)
    }
}
