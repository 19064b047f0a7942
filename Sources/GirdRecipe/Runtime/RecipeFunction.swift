/// The compiled body of a `fn`, shared by every closure made from it.
final class FunctionCode {
    let name: String
    let parameterNames: [String]
    /// Parameters without a default: given positionally (or by name).
    let positionalCount: Int
    let slotCount: Int
    /// Its body makes closures, which may keep a call's frame after the
    /// call returns: its frames are on the heap, not on the frame stack.
    let framesOutliveCalls: Bool
    let span: SourceSpan
    var body: (Frame) throws -> Value = { _ in .none }

    init(name: String, parameterNames: [String], positionalCount: Int, slotCount: Int, framesOutliveCalls: Bool,
         span: SourceSpan) {
        self.name = name
        self.parameterNames = parameterNames
        self.positionalCount = positionalCount
        self.slotCount = slotCount
        self.framesOutliveCalls = framesOutliveCalls
        self.span = span
    }
}

/// A recipe function value: its code, the frame it captured and its
/// defaults (evaluated when the `fn` ran, as Python does).
public final class RecipeFunction {
    let code: FunctionCode
    let captured: FrameBox?
    let defaults: [Value]
    // Copied from the code so that a call reads them from one object.
    let body: (Frame) throws -> Value
    let slotCount: Int
    let positionalCount: Int
    /// Positional and named: the slots every call fills.
    let parameterCount: Int
    let framesOutliveCalls: Bool

    init(code: FunctionCode, captured: FrameBox?, defaults: [Value]) {
        self.code = code
        self.captured = captured
        self.defaults = defaults
        self.body = code.body
        self.slotCount = code.slotCount
        self.positionalCount = code.positionalCount
        self.framesOutliveCalls = code.framesOutliveCalls
        self.parameterCount = code.parameterNames.count
    }

    public var name: String { code.name }
    public var parameterNames: [String] { code.parameterNames }
}
