import Glibc

#if !_endian(little)
#error("the weight readers copy little-endian file bytes straight into tensors")
#endif

/// A read-only view of a whole file's bytes in which every read is checked
/// against the file's size, and every failure is a `WeightFileError` that
/// names the file and the offset.
///
/// The file is memory-mapped: weights are copied once, from the page cache
/// into each tensor's own storage, with no intermediate buffer. The mapping
/// lives only for the duration of `withContents(of:_:)`, so no pointer into
/// it can outlive it. (A mapped file truncated by another process while it is
/// read would fault; GIRD's writers replace files by renaming, never by
/// truncating them in place, so that only happens to a file someone else is
/// rewriting in place.)
struct FileBytes {
    let path: String
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    /// Maps `path` and calls `body` with its bytes.
    static func withContents<Result>(of path: String, _ body: (FileBytes) throws -> Result) throws -> Result {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WeightFileError.system(path: path, action: "open", reason: systemReason()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw WeightFileError.system(path: path, action: "read", reason: systemReason())
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            let kind = status.st_mode & S_IFMT == S_IFDIR ? "Is a directory" : "not a regular file"
            throw WeightFileError.system(path: path, action: "read", reason: kind)
        }
        let size = Int(status.st_size)
        // mmap refuses a length of 0; an empty file is an empty view.
        guard size > 0 else { return try body(FileBytes(path: path, bytes: UnsafeRawBufferPointer(start: nil, count: 0))) }
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
            throw WeightFileError.system(path: path, action: "map", reason: systemReason())
        }
        defer { munmap(mapping, size) }
        return try body(FileBytes(path: path, bytes: UnsafeRawBufferPointer(start: mapping, count: size)))
    }

    /// The error to throw for a malformed file.
    func malformed(at offset: Int, _ message: String) -> WeightFileError {
        .malformed(path: path, offset: offset, message: message)
    }

    /// `count` bytes from `offset`, or an error saying what they were for and
    /// how short the file is.
    func slice(at offset: Int, count: Int, for what: String) throws -> UnsafeRawBufferPointer {
        guard offset >= 0, count >= 0, offset <= self.count, count <= self.count - offset else {
            let available = max(0, self.count - max(offset, 0))
            throw malformed(at: offset, "\(what) needs \(count) bytes but only \(available) remain (the file has \(self.count))")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    /// An unsigned little-endian integer of `byteCount` bytes (2, 4 or 8).
    func unsignedInteger(at offset: Int, byteCount: Int, for what: String) throws -> UInt64 {
        let field = try slice(at: offset, count: byteCount, for: what)
        var value: UInt64 = 0
        for (index, byte) in field.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        return value
    }
}

/// The text of `errno`, as `strerror` gives it.
func systemReason() -> String {
    String(cString: strerror(errno))
}
