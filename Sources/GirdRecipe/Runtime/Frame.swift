/// What a frame holds besides its slots.
struct FrameHeader {
    var control: Frame.Control = .normal
    var returnValue: Value = .none
    let count: Int
    let parent: Frame?
}

/// The slots of one call of a recipe function (its parameters and every local
/// it declares, each at an index the resolver fixed), the frame it was
/// defined in (for the variables a closure captures), and the control state
/// that `break`, `continue` and `return` leave for the enclosing statements.
/// The slots are allocated with the object (one allocation per call).
final class Frame: ManagedBuffer<FrameHeader, Value> {
    enum Control: UInt8 { case normal, breakLoop, continueLoop, returned }

    static func make(count: Int, parent: Frame?) -> Frame {
        let capacity = max(count, 1)
        let buffer = Frame.create(minimumCapacity: capacity) { _ in FrameHeader(count: capacity, parent: parent) }
        let frame = unsafeDowncast(buffer, to: Frame.self)
        frame.withUnsafeMutablePointerToElements { $0.initialize(repeating: .none, count: capacity) }
        return frame
    }

    deinit {
        withUnsafeMutablePointers { header, elements in
            _ = elements.deinitialize(count: header.pointee.count)
        }
    }

    /// The slots; valid while the frame lives (the storage is the object's own).
    @inline(__always)
    var slots: UnsafeMutablePointer<Value> { withUnsafeMutablePointerToElements { $0 } }

    // The header is reached through its pointer: `header.field = x` would
    // copy the whole header out and back (retaining what it holds).
    @inline(__always)
    private var headerPointer: UnsafeMutablePointer<FrameHeader> { withUnsafeMutablePointerToHeader { $0 } }

    @inline(__always)
    var parent: Frame? { headerPointer.pointee.parent }

    @inline(__always)
    var control: Control {
        get { headerPointer.pointee.control }
        set { headerPointer.pointee.control = newValue }
    }

    @inline(__always)
    var returnValue: Value {
        get { headerPointer.pointee.returnValue }
        set { headerPointer.pointee.returnValue = newValue }
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
