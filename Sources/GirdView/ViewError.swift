/// Why a tensor cannot be shown or written as an image. Messages name the
/// tensor's shape or the file, so that a REPL user sees what to change.
public enum ViewError: Error, Equatable, CustomStringConvertible {
    /// The tensor has no 2-D plane to draw (a vector of rank 5, an int64 tensor...).
    case notAMatrix(shape: [Int], reason: String)
    /// A channel index outside the feature map's channels.
    case channelOutOfRange(channel: Int, channels: Int)
    /// Writing an image failed; `reason` is libpng's or the system's message.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notAMatrix(shape, reason):
            return "cannot draw a tensor of shape \(shapeText(shape)): \(reason)"
        case let .channelOutOfRange(channel, channels):
            return "channel \(channel) is out of range for a map with \(channels) channels"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

func shapeText(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
