/// Everything the engine reports about bad input. Each case names the op, so
/// that a message reaching a recipe user says where it came from.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Two operands whose shapes do not fit together.
    case shapeMismatch(op: String, lhs: [Int], rhs: [Int])
    /// An operand of the wrong element type.
    case dtypeMismatch(op: String, expected: DType, got: DType)
    /// An argument out of its range (a dimension, a kernel size, a count).
    case invalidArgument(op: String, message: String)
    /// A native library refused a call; `status` is its own code.
    case native(op: String, library: String, status: Int)
    /// A size chosen from outside (a recipe, a file) that needs more memory
    /// than the machine has (`MemoryLimit`); `bytes` is nil when it overflows.
    case tooLarge(what: String, bytes: Int?, limit: Int)
    /// An allocation of a size from outside that passed `MemoryLimit` and
    /// that the system still refused (memory in use by other processes).
    case outOfMemory(what: String, bytes: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, lhs, rhs):
            return "\(op): shapes \(formatShape(lhs)) and \(formatShape(rhs)) do not match"
        case let .dtypeMismatch(op, expected, got):
            return "\(op): expected a \(expected) tensor, got \(got)"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        case let .native(op, library, status):
            return "\(op): \(library) failed with status \(status)"
        case let .tooLarge(what, bytes, limit):
            let needed = bytes.map { MemoryLimit.describe(bytes: $0) } ?? "more bytes than a 64-bit size holds"
            return "\(what) needs \(needed), more than this machine's \(MemoryLimit.describe(bytes: limit)) of memory"
        case let .outOfMemory(what, bytes):
            return "\(what): cannot allocate \(MemoryLimit.describe(bytes: bytes)): out of memory"
        }
    }
}

/// Shapes print as PyTorch prints them: `[64, 3, 32, 32]`.
public func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
