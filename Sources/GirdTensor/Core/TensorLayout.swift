/// How a tensor's bytes are arranged: plain row-major, or a oneDNN layout
/// chosen by a primitive (channel-blocked, padded to the block size).
enum TensorLayout {
    case plain
    case blocked(DNNLFormat)

    /// The oneDNN descriptor of this layout for a tensor of `shape`.
    func format(shape: [Int]) -> DNNLFormat {
        switch self {
        case .plain: return .plain(shape)
        case let .blocked(format): return format
        }
    }
}
