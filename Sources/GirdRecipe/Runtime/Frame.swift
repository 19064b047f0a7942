/// The slots of one call of a recipe function (its parameters and every local
/// it declares, each at an index the resolver fixed), the frame it was
/// defined in (for the variables a closure captures), and the control state
/// that `break`, `continue` and `return` leave for the enclosing statements.
public final class Frame {
    enum Control: UInt8 { case normal, breakLoop, continueLoop, returned }

    let slots: UnsafeMutablePointer<Value>
    let count: Int
    let parent: Frame?
    var control: Control = .normal
    var returnValue: Value = .none

    init(count: Int, parent: Frame?) {
        self.count = count
        self.parent = parent
        slots = UnsafeMutablePointer<Value>.allocate(capacity: max(count, 1))
        slots.initialize(repeating: .none, count: max(count, 1))
    }

    deinit {
        slots.deinitialize(count: max(count, 1))
        slots.deallocate()
    }

    /// The frame `depth` definitions out (1: the defining function's frame).
    @inline(__always)
    func ancestor(_ depth: Int) -> Frame {
        var frame = self
        for _ in 0..<depth { frame = frame.parent! }
        return frame
    }
}

/// The top-level bindings of a session: every file's top-level names (and
/// the names declared in its top-level blocks), by index. Grows as imports
/// and REPL entries declare more.
public final class GlobalSlots {
    private(set) var slots: UnsafeMutablePointer<Value>
    private(set) var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 256
        slots = UnsafeMutablePointer<Value>.allocate(capacity: capacity)
        slots.initialize(repeating: .unset, count: capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// A new slot, unset until its declaration runs.
    func add() -> Int {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Value>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: slots, count: capacity)
            (bigger + capacity).initialize(repeating: .unset, count: capacity)
            slots.deallocate()
            slots = bigger
            capacity *= 2
        }
        count += 1
        return count - 1
    }
}
