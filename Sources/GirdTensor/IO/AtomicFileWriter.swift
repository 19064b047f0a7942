import Glibc

/// Writes a file so that anyone opening `path` sees either the previous file
/// or the complete new one, never a half-written one, even if the process
/// dies or the machine loses power mid-way: the bytes go to a temporary file
/// in the same folder (so the rename cannot cross file systems), which is
/// flushed to disk (`fsync`) and then renamed over `path`; the folder is
/// flushed too, so the rename itself survives a crash.
public struct AtomicFileWriter {
    let path: String
    private let temporaryPath: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var isOpen = true
    private static let bufferCapacity = 1 << 20

    /// Writes `bytes` as the whole file at `path`, atomically and durably.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.append(bytes) }
    }

    /// Creates the file at `path` with what `body` appends; on any error the
    /// temporary file is removed and `path` is left as it was.
    static func write(to path: String, _ body: (inout AtomicFileWriter) throws -> Void) throws {
        var writer = try AtomicFileWriter(path: path)
        do {
            try body(&writer)
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
    }

    private init(path: String) throws {
        let folder = AtomicFileWriter.folder(of: path)
        let name = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        var attempts = 0
        while true {
            let candidate = "\(folder)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if descriptor >= 0 {
                self.path = path
                temporaryPath = candidate
                self.descriptor = descriptor
                buffer.reserveCapacity(AtomicFileWriter.bufferCapacity)
                return
            }
            attempts += 1
            guard errno == EEXIST, attempts < 16 else {
                throw WeightFileError.system(path: path, action: "create a temporary file in \(folder)", reason: systemReason())
            }
        }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > AtomicFileWriter.bufferCapacity { try flush() }
        if bytes.count >= AtomicFileWriter.bufferCapacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    mutating func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    private mutating func flush() throws {
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Makes every write fail with this error number, as a full disk
    /// (ENOSPC) does: the full-disk test's stand-in where it cannot mount a
    /// small file system of its own (mount needs root). Nil in use.
    nonisolated(unsafe) static var simulatedWriteError: Int32?

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if let simulated = AtomicFileWriter.simulatedWriteError {
                errno = simulated
                throw WeightFileError.system(path: path, action: "write", reason: systemReason())
            }
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw WeightFileError.system(path: path, action: "write", reason: systemReason())
            }
            offset += written
        }
    }

    private mutating func commit() throws {
        try flush()
        guard fsync(descriptor) == 0 else { throw WeightFileError.system(path: path, action: "flush to disk", reason: systemReason()) }
        isOpen = false
        guard close(descriptor) == 0 else { throw WeightFileError.system(path: path, action: "close", reason: systemReason()) }
        guard rename(temporaryPath, path) == 0 else {
            throw WeightFileError.system(path: path, action: "replace the file", reason: systemReason())
        }
        // Best effort: some file systems cannot fsync a folder; the file itself is already safe.
        let folder = open(AtomicFileWriter.folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// Removes the temporary file after a failure (closing it first if still open).
    private func abandon() {
        if isOpen { close(descriptor) }
        unlink(temporaryPath)
    }

    private static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
