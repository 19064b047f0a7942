import Foundation
import XCTest
@testable import GirdTensor

/// A fresh folder per test for files to write, removed afterwards.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("gird-io-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to a file called `name` and returns its path.
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }

    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// A file committed under `Tests/GirdTensorTests/Fixtures` (see the README there).
func fixturePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name).path
}

func fileBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { littleEndianBytes($0.bitPattern) }
}

/// Asserts that `body` throws an error whose text is exactly `expected`.
func assertThrows<T>(_ body: @autoclosure () throws -> T, _ expected: String,
                     file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual("\(error)", expected, file: file, line: line)
    }
}

/// Feeds `reader` every truncation of `bytes` and every single-byte change
/// to a few telling values, in memory: each must load or throw a
/// `WeightFileError`, never crash. Returns how many variants loaded.
@discardableResult
func assertEveryCorruptionIsReported(_ bytes: [UInt8], truncationsLoad: Bool = false,
                                     _ reader: (FileBytes) throws -> Void,
                                     file: StaticString = #filePath, line: UInt = #line) -> Int {
    var loaded = 0
    func attempt(_ variant: [UInt8]) -> Bool {
        variant.withUnsafeBytes { raw in
            do {
                try reader(FileBytes(path: "fuzz", bytes: raw))
                return true
            } catch is WeightFileError {
                return false
            } catch {
                XCTFail("not a WeightFileError: \(error)", file: file, line: line)
                return false
            }
        }
    }
    for length in 0..<bytes.count where attempt(Array(bytes.prefix(length))) {
        if !truncationsLoad { XCTFail("a file cut to \(length) bytes loaded", file: file, line: line) }
    }
    let replacements: [UInt8] = [0x00, 0xFF, 0x80, UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "{"),
                                 UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ","), UInt8(ascii: " ")]
    for position in bytes.indices {
        for replacement in replacements where replacement != bytes[position] {
            var variant = bytes
            variant[position] = replacement
            if attempt(variant) { loaded += 1 }
        }
    }
    return loaded
}
