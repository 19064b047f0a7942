/// What reading a dataset reports.
///
/// Every message starts with the path, as a compiler names the file first
/// (the style of `WeightFileError`); a malformed file also gives the byte
/// offset where the reader gave up. For a gzip-compressed file the offset is
/// in the decompressed bytes, and the message says so, so that
/// `zcat FILE | xxd -s OFFSET -l 64` shows the place:
///
///     /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz: not found; install it with `apt-get install dataset-fashion-mnist`, or pass root: a folder holding the files
///     train-images-idx3-ubyte.gz: offset 0 (decompressed): magic number 0x00000801 is not 0x00000803 (IDX images: unsigned bytes, 3 dimensions)
///     data_batch_1.bin: offset 30730000: record 10000 is cut short: 5 of its 3073 bytes (the file has 30730005 bytes, not a multiple of 3073)
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// The file is not there; `hint` says how to get it.
    case missing(path: String, hint: String)
    /// The operating system, zlib, libpng or libjpeg refused an operation; `reason` is its own text.
    case system(path: String, action: String, reason: String)
    /// The bytes do not follow the format.
    case malformed(path: String, offset: Int, compressed: Bool, message: String)
    /// A request the dataset cannot serve (an index out of range, a subset
    /// larger than the set).
    case invalidArgument(dataset: String, message: String)

    public var description: String {
        switch self {
        case let .missing(path, hint):
            return "\(path): not found; \(hint)"
        case let .system(path, action, reason):
            return "\(path): cannot \(action): \(reason)"
        case let .malformed(path, offset, compressed, message):
            return "\(path): offset \(offset)\(compressed ? " (decompressed)" : ""): \(message)"
        case let .invalidArgument(dataset, message):
            return "\(dataset): \(message)"
        }
    }
}
