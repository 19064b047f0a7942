/// What reading or writing a weights file (safetensors, `.npy`) reports.
///
/// Every message starts with the path, as a compiler names the file first;
/// a malformed file also gives the byte offset where the reader gave up, so
/// that the user can look there (`xxd -s OFFSET -l 64 FILE`):
///
///     teacher.safetensors: offset 8: the header claims 812 bytes but only 412 follow
///     x.npy: offset 10: header is not a Python dict literal
///     missing.npy: cannot open: No such file or directory
public enum WeightFileError: Error, Equatable, CustomStringConvertible {
    /// The operating system refused an operation (`open`, `write`,
    /// `rename`...); `reason` is its own text (`strerror`).
    case system(path: String, action: String, reason: String)
    /// The bytes do not follow the format, or hold something GIRD cannot
    /// represent (a big-endian array, an unknown dtype).
    case malformed(path: String, offset: Int, message: String)
    /// What the caller asked to save cannot be written (two tensors with one name).
    case invalidArgument(path: String, message: String)

    public var description: String {
        switch self {
        case let .system(path, action, reason):
            return "\(path): cannot \(action): \(reason)"
        case let .malformed(path, offset, message):
            return "\(path): offset \(offset): \(message)"
        case let .invalidArgument(path, message):
            return "\(path): \(message)"
        }
    }
}
