import Foundation

/// A text file read whole, for reports and notes a program rewrites in
/// part. The file must be UTF-8 (an invalid byte is named by its offset) and
/// at most `maximumBytes` long, so that a wrong path (a dataset, a device)
/// gets an error rather than filling memory.
public enum TextFile {
    public static func read(_ path: String, maximumBytes: Int) throws -> String {
        try FileBytes.withContents(of: path) { file in
            guard file.count <= maximumBytes else {
                throw WeightFileError.invalidArgument(
                    path: path, message: "the file is \(file.count) bytes; a text file is read only up to \(maximumBytes) bytes")
            }
            // The standard library's parser gives each scalar's length, so the
            // offset of the first invalid byte can be told (String(validating:)
            // only says that there is one).
            var parser = Unicode.UTF8.ForwardParser()
            var bytes = file.bytes.makeIterator()
            var offset = 0
            scan: while true {
                switch parser.parseScalar(from: &bytes) {
                case .valid(let scalar): offset += scalar.count
                case .emptyInput: break scan
                case .error:
                    throw file.malformed(at: offset, "not UTF-8 text (byte 0x\(String(file.bytes[offset], radix: 16, uppercase: true)))")
                }
            }
            return String(decoding: file.bytes, as: UTF8.self)
        }
    }
}
