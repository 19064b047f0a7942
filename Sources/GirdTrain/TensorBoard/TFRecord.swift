import Foundation

/// TFRecord framing, the container of TensorBoard's event files: each
/// record is its length (UInt64, little-endian), the masked CRC-32C of
/// those 8 bytes, the data, and the masked CRC-32C of the data.
public enum TFRecord {
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var length = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 { length[index] = UInt8(truncatingIfNeeded: UInt64(data.count) >> (8 * index)) }
        return length + littleEndian(CRC32C.masked(length)) + data + littleEndian(CRC32C.masked(data))
    }

    /// The records of a file's bytes, each checked against its CRCs; an
    /// error names the file and the offset of the bad record.
    public static func records(in bytes: [UInt8], path: String) throws -> [[UInt8]] {
        var records: [[UInt8]] = [], offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                throw TensorBoardError.malformed(path: path, offset: offset, reason: "a record header needs 12 bytes, \(bytes.count - offset) left")
            }
            let header = Array(bytes[offset..<offset + 8])
            guard readUInt32(bytes, at: offset + 8) == CRC32C.masked(header) else {
                throw TensorBoardError.malformed(path: path, offset: offset, reason: "the length's checksum does not match")
            }
            let length = header.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            let start = offset + 12
            guard length <= UInt64(bytes.count - start), bytes.count - start - Int(length) >= 4 else {
                throw TensorBoardError.malformed(path: path, offset: offset, reason: "a record of \(length) bytes runs past the end of the file")
            }
            let data = Array(bytes[start..<start + Int(length)])
            guard readUInt32(bytes, at: start + Int(length)) == CRC32C.masked(data) else {
                throw TensorBoardError.malformed(path: path, offset: offset, reason: "the data's checksum does not match")
            }
            records.append(data)
            offset = start + Int(length) + 4
        }
        return records
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}

public enum TensorBoardError: Error, Equatable, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)
    case malformed(path: String, offset: Int, reason: String)
    case invalidImage(String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): return "cannot write the event file \(path): \(reason)"
        case .malformed(let path, let offset, let reason): return "\(path): at byte \(offset): \(reason)"
        case .invalidImage(let reason): return "a TensorBoard image: \(reason)"
        }
    }
}
