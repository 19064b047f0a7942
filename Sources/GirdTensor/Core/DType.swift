/// The element types a tensor can hold: float32 for everything that is
/// computed on, int64 for labels and indices (as PyTorch's `long`).
public enum DType: String, Sendable, CustomStringConvertible {
    case float32
    case int64

    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .int64: return 8
        }
    }

    public var description: String { rawValue }
}
