import CZlib
import Foundation

/// A fresh folder for the files a test writes, removed at the end of the process.
func temporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "gird-data-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `bytes` to `path`, gzip-compressed (with zlib, as the datasets are distributed) if asked.
func write(_ bytes: [UInt8], to path: String, gzip: Bool = false) throws {
    if gzip {
        guard let file = gzopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
        let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        guard gzclose(file) == Z_OK, written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    } else {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

func bigEndian(_ values: [UInt32]) -> [UInt8] {
    values.flatMap { value in (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) } }
}

/// The text of the error `body` throws, or a note that it threw none.
func errorText(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        return "no error"
    } catch {
        return "\(error)"
    }
}
