import CZlib
import Glibc

/// The whole content of a dataset file, decompressed if it is gzip (zlib's
/// `gzread` passes other files through unchanged), with errors that name the
/// file and the offset.
///
/// Dataset files are read whole rather than mapped: a compressed file has to
/// be inflated into memory anyway, and the largest (Fashion-MNIST's training
/// images, 47 MB) is read once per run.
struct DatasetFile {
    let path: String
    let bytes: [UInt8]
    /// Whether the file was gzip, so that offsets are in the decompressed bytes.
    let isCompressed: Bool

    var count: Int { bytes.count }

    /// Reads `path`; `hint` says how to get the file when it is not there.
    static func read(_ path: String, hint: String) throws -> DatasetFile {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw DatasetError.missing(path: path, hint: hint) }
            throw DatasetError.system(path: path, action: "open", reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            let kind = status.st_mode & S_IFMT == S_IFDIR ? "Is a directory" : "not a regular file"
            throw DatasetError.system(path: path, action: "read", reason: kind)
        }
        guard let file = gzopen(path, "rb") else {
            throw DatasetError.system(path: path, action: "open", reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 18)
        var bytes: [UInt8] = []
        // A plain file inflates to its own size; a gzip one to a few times it.
        bytes.reserveCapacity(Int(status.st_size))
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(chunkSize)) }
            if read < 0 { break }
            bytes.append(contentsOf: chunk[0..<Int(read)])
            if read < chunkSize { break }
        }
        let isCompressed = gzdirect(file) == 0
        var code: Int32 = 0
        let message = String(cString: gzerror(file, &code))
        // A truncated gzip stream ends with Z_BUF_ERROR ("unexpected end of file").
        if code != Z_OK {
            throw DatasetError.malformed(path: path, offset: bytes.count, compressed: isCompressed,
                                         message: "cannot decompress: \(message)")
        }
        return DatasetFile(path: path, bytes: bytes, isCompressed: isCompressed)
    }

    /// Reads `path` as it is (no gzip): one read into an array of the file's
    /// size, for the many small files of an image folder, where zlib's
    /// buffers would cost more than the read.
    static func readPlain(_ path: String, hint: String) throws -> DatasetFile {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw DatasetError.missing(path: path, hint: hint) }
            throw DatasetError.system(path: path, action: "open", reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw DatasetError.system(path: path, action: "read", reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            let kind = status.st_mode & S_IFMT == S_IFDIR ? "Is a directory" : "not a regular file"
            throw DatasetError.system(path: path, action: "read", reason: kind)
        }
        let size = Int(status.st_size)
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let got = Glibc.read(descriptor, buffer.baseAddress! + count, size - count)
                if got < 0 && errno == EINTR { continue }
                if got <= 0 {
                    failure = got < 0 ? errno : EIO
                    break
                }
                count += got
            }
        }
        guard failure == 0, bytes.count == size else {
            throw DatasetError.system(path: path, action: "read", reason: failure == 0 ? "the file shrank while it was read"
                                      : String(cString: strerror(failure)))
        }
        return DatasetFile(path: path, bytes: bytes, isCompressed: false)
    }

    func malformed(at offset: Int, _ message: String) -> DatasetError {
        .malformed(path: path, offset: offset, compressed: isCompressed, message: message)
    }

    /// The big-endian 32-bit integer at `offset` (IDX headers).
    func bigEndianUInt32(at offset: Int, for what: String) throws -> UInt32 {
        guard offset >= 0, offset + 4 <= count else {
            throw malformed(at: offset, "\(what) needs 4 bytes but only \(max(0, count - offset)) remain (the file has \(count))")
        }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

func fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}
