/// What a frame holds besides its slots.
struct FrameHeader {
    var control: Frame.Control = .normal
    var returnValue: Value = .none
    /// The frame of the call the function was defined in (for the
    /// variables a closure captures).
    let parent: Frame?
    /// The heap storage of this frame when it may outlive its call; nil on
    /// the frame stack.
    unowned(unsafe) var box: FrameBox?
    /// Keeps the parent's storage alive as long as this frame (heap frames
    /// only: a frame on the stack lives inside the call of a function that
    /// holds its parent already).
    var parentBox: FrameBox?
    /// How many slots follow.
    let count: Int
}

/// The slots of one call of a recipe function (its parameters and every
/// local it declares, each at an index the resolver fixed), the frame it was
/// defined in, and the control state that `break`, `continue` and `return`
/// leave for the enclosing statements.
///
/// A frame is two pointers, copied freely and never reference counted: its
/// storage is on the interpreter's `FrameStack` (pushed and popped around
/// the call, no allocation) or, for a function whose body makes closures
/// that may keep the frame after the call returns, in a `FrameBox` on the
/// heap that the closures retain.
struct Frame {
    enum Control: UInt8 { case normal, breakLoop, continueLoop, returned }

    let header: UnsafeMutablePointer<FrameHeader>
    /// The slots; valid while the frame's call runs (or its box lives).
    let slots: UnsafeMutablePointer<Value>

    @inline(__always)
    var parent: Frame? { header.pointee.parent }

    @inline(__always)
    var control: Control {
        get { header.pointee.control }
        nonmutating set { header.pointee.control = newValue }
    }

    @inline(__always)
    var returnValue: Value {
        get { header.pointee.returnValue }
        nonmutating set { header.pointee.returnValue = newValue }
    }

    /// The heap storage a closure made here keeps (the resolver gave every
    /// function that makes closures heap frames).
    var box: FrameBox {
        guard let box = header.pointee.box else { fatalError("a closure captured a frame on the stack") }
        return box
    }

    /// Stores a call's argument into a parameter slot, which `FrameStack.push`
    /// left uninitialized (a heap frame's holds `none`, which needs no release).
    @inline(__always)
    func bind(_ parameter: Int, to value: Value) {
        (slots + parameter).initialize(to: value)
    }

    /// The frame `depth` definitions out (1: the defining function's frame).
    @inline(__always)
    func ancestor(_ depth: Int) -> Frame {
        var frame = self
        for _ in 0..<depth { frame = frame.parent! }
        return frame
    }
}

/// A frame's storage on the heap (header and slots in one allocation), for
/// calls whose frame closures may capture, and for a program's top level.
final class FrameBox: ManagedBuffer<FrameHeader, Value> {
    static func make(count: Int, parent: FrameBox?) -> FrameBox {
        let capacity = max(count, 1)
        let buffer = FrameBox.create(minimumCapacity: capacity) { _ in
            FrameHeader(parent: parent?.frame, box: nil, parentBox: parent, count: capacity)
        }
        let box = unsafeDowncast(buffer, to: FrameBox.self)
        box.withUnsafeMutablePointers { header, elements in
            header.pointee.box = box
            elements.initialize(repeating: .none, count: capacity)
        }
        return box
    }

    deinit {
        withUnsafeMutablePointers { header, elements in _ = elements.deinitialize(count: header.pointee.count) }
    }

    /// The frame this box stores (valid while the box lives).
    var frame: Frame {
        withUnsafeMutablePointers { header, elements in Frame(header: header, slots: elements) }
    }
}

/// The frames of the calls in progress, one after another in one block of
/// memory: a call pushes its header and slots and pops them when it
/// returns or throws, so a call costs no allocation. When the block is full
/// (a very deep recursion of functions with many locals) calls take heap
/// frames instead.
final class FrameStack {
    private let base: UnsafeMutableRawPointer
    private var top: UnsafeMutableRawPointer
    private let end: UnsafeMutableRawPointer
    // Slots follow the header; both strides are multiples of 8.
    private static let headerSize = MemoryLayout<FrameHeader>.stride
    private static let slotSize = MemoryLayout<Value>.stride

    /// Untouched pages cost no memory: the block is address space until used.
    init(bytes: Int = 32 << 20) {
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        top = base
        end = base + bytes
    }

    deinit { base.deallocate() }

    /// A new frame of `count` slots, or nil when there is no room. The
    /// first `parameters` slots are left uninitialized: the caller
    /// initializes them (`Frame.bind`) before anything reads the frame;
    /// the others are `none`.
    @inline(__always)
    func push(count: Int, parameters: Int, parent: Frame?) -> Frame? {
        let size = FrameStack.headerSize + count * FrameStack.slotSize
        guard end - top >= size else { return nil }
        let header = top.bindMemory(to: FrameHeader.self, capacity: 1)
        header.initialize(to: FrameHeader(parent: parent, box: nil, parentBox: nil, count: count))
        let slots = (top + FrameStack.headerSize).bindMemory(to: Value.self, capacity: count)
        (slots + parameters).initialize(repeating: .none, count: count - parameters)
        top += size
        return Frame(header: header, slots: slots)
    }

    /// Pops the frame pushed last, releasing what its slots hold.
    @inline(__always)
    func pop(_ frame: Frame) {
        // One slot at a time: `deinitialize(count:)` of a count known only
        // at run time goes through the runtime's generic array destroy.
        let header = frame.header
        var slot = frame.slots
        for _ in 0..<header.pointee.count {
            slot.deinitialize(count: 1)
            slot += 1
        }
        // The header holds nothing to release but a returned value (a frame
        // on the stack has no boxes): no generic destroy of the whole header.
        if header.pointee.control == .returned { header.pointee.returnValue = .none }
        top = UnsafeMutableRawPointer(frame.header)
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

    /// Unsets every slot. A function stored here captures the context that
    /// holds these slots: a cycle that only this breaks (`Interpreter`'s deinit).
    func clear() {
        for index in 0..<capacity { slots[index] = .unset }
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
