/// The compiled body of a `fn`, shared by every closure made from it.
final class FunctionCode {
    let name: String
    let parameterNames: [String]
    /// Parameters without a default: given positionally (or by name).
    let positionalCount: Int
    let slotCount: Int
    let span: SourceSpan
    var body: (Frame) throws -> Value = { _ in .none }

    init(name: String, parameterNames: [String], positionalCount: Int, slotCount: Int, span: SourceSpan) {
        self.name = name
        self.parameterNames = parameterNames
        self.positionalCount = positionalCount
        self.slotCount = slotCount
        self.span = span
    }
}

/// A recipe function value: its code, the frame it captured and its
/// defaults (evaluated when the `fn` ran, as Python does).
public final class RecipeFunction {
    let code: FunctionCode
    let captured: Frame?
    let defaults: [Value]
    // Copied from the code so that a call reads them from one object.
    let body: (Frame) throws -> Value
    let slotCount: Int
    let positionalCount: Int

    init(code: FunctionCode, captured: Frame?, defaults: [Value]) {
        self.code = code
        self.captured = captured
        self.defaults = defaults
        self.body = code.body
        self.slotCount = code.slotCount
        self.positionalCount = code.positionalCount
    }

    public var name: String { code.name }
    public var parameterNames: [String] { code.parameterNames }
}
