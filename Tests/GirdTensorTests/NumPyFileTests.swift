import XCTest
@testable import GirdTensor

final class NumPyFileTests: XCTestCase {
    // MARK: Files numpy.save wrote (scripts/make-io-fixtures.py)

    func testReadsNumPyArrays() throws {
        func check(_ name: String, _ shape: [Int], floats: [Float]? = nil, integers: [Int64]? = nil,
                   line: UInt = #line) throws {
            let tensor = try NumPyFile.load(contentsOf: fixturePath(name))
            XCTAssertEqual(tensor.shape, shape, name, line: line)
            if let floats {
                XCTAssertEqual(tensor.dtype, .float32, name, line: line)
                XCTAssertEqual(tensor.toArray(), floats, name, line: line)
            }
            if let integers {
                XCTAssertEqual(tensor.dtype, .int64, name, line: line)
                XCTAssertEqual(tensor.toIndices(), integers, name, line: line)
            }
        }
        let matrix: [Float] = [-1.5, 0, 0.25, 3, 0x1p-10, -7.125]
        try check("float32_2x3.npy", [2, 3], floats: matrix)
        try check("float32_v2.npy", [2, 3], floats: matrix)
        try check("float32_v3.npy", [2, 3], floats: matrix)
        // float64 narrowed to float32; 1e300 is beyond float32's range.
        try check("float64_4.npy", [4], floats: [Float(0.1 as Double), -2.5, .infinity, Float(1.0 / 3.0)])
        try check("float16_3.npy", [3], floats: [0.5, -2, 65504])
        try check("int64_2x2.npy", [2, 2], integers: [-3, 0, 7, 1 << 40])
        try check("int32_3.npy", [3], integers: [Int64(Int32.min), 0, Int64(Int32.max)])
        try check("uint8_4.npy", [4], integers: [0, 1, 128, 255])
        try check("bool_3.npy", [3], integers: [1, 0, 1])
        try check("float32_scalar.npy", [], floats: [3.25])
        try check("float32_0x3.npy", [0, 3], floats: [])
    }

    func testRefusesFortranOrderAndBigEndian() throws {
        let fortran = fixturePath("fortran_2x3.npy")
        // {'descr': '<f4', 'fortran_order': True, ...: True starts 34 bytes into the header, which starts at offset 10.
        assertThrows(try NumPyFile.load(contentsOf: fortran),
                     "\(fortran): offset 44: fortran_order is True (column-major data); GIRD reads C order only: save numpy.ascontiguousarray(a)")
        let bigEndian = fixturePath("bigendian_float32_2.npy")
        assertThrows(try NumPyFile.load(contentsOf: bigEndian),
                     "\(bigEndian): offset 20: dtype '>f4' is big-endian; GIRD reads little-endian arrays only: save a.astype('<f4')")
    }

    // MARK: Writing

    /// What we write is byte for byte what numpy.save writes.
    func testSaveWritesWhatNumPyWrites() throws {
        let folder = try TemporaryFolder()
        let cases: [(String, Tensor)] = [
            ("float32_2x3.npy", try Tensor(shape: [2, 3], values: [-1.5, 0, 0.25, 3, 0x1p-10, -7.125])),
            ("int64_2x2.npy", try Tensor(shape: [2, 2], indices: [-3, 0, 7, 1 << 40])),
            ("float32_scalar.npy", Tensor(3.25)),
            ("float32_0x3.npy", Tensor.zeros([0, 3])),
        ]
        for (name, tensor) in cases {
            try NumPyFile.save(tensor, to: folder.file(name))
            XCTAssertEqual(try fileBytes(folder.file(name)), try fileBytes(fixturePath(name)), name)
        }
        XCTAssertEqual(folder.contents, cases.map(\.0).sorted(), "no temporary file is left behind")
    }

    func testRoundTrips() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("x.npy")
        let tensors = [
            try Tensor(shape: [1, 2, 1, 2, 1], values: [1, -0.0, .nan, .greatestFiniteMagnitude]),
            try Tensor(shape: [3], indices: [Int64.min, 0, Int64.max]),
            try Tensor(shape: [], indices: [42]),
            Tensor.zeros([2, 0], dtype: .int64),
            try Tensor(shape: [5], values: [1, 2, 3, 4, 5]),
        ]
        for tensor in tensors {
            try NumPyFile.save(tensor, to: path)
            let copy = try NumPyFile.load(contentsOf: path)
            XCTAssertEqual(copy.shape, tensor.shape)
            XCTAssertEqual(copy.dtype, tensor.dtype)
            XCTAssertEqual(copy.toArray().map(\.bitPattern), tensor.toArray().map(\.bitPattern))
            XCTAssertEqual(copy.toIndices(), tensor.toIndices())
            XCTAssertEqual(try fileBytes(path).count % 64, (tensor.count * tensor.dtype.byteSize) % 64, "the data starts 64-byte aligned")
        }
    }

    // MARK: Missing and corrupt files

    func testMissingFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("x.npy")
        assertThrows(try NumPyFile.load(contentsOf: path), "\(path): cannot open: No such file or directory")
        let nowhere = folder.file("missing/x.npy")
        assertThrows(try NumPyFile.save(Tensor(1), to: nowhere),
                     "\(nowhere): cannot create a temporary file in \(folder.path)/missing: No such file or directory")
    }

    func testCorruptPreamble() throws {
        try assertCorrupt(Array("PK\u{3}\u{4}zip".utf8), "offset 0: not a .npy file: it does not start with \\x93NUMPY")
        try assertCorrupt(NumPyFile.magic, "offset 0: not a .npy file: it does not start with \\x93NUMPY")
        try assertCorrupt(NumPyFile.magic + [4, 0, 0, 0], "offset 6: format version 4.0 is not one GIRD reads (1.0, 2.0, 3.0)")
        try assertCorrupt(NumPyFile.magic + [1, 0, 0x76], "offset 8: the header length needs 2 bytes but only 1 remain (the file has 9)")
        try assertCorrupt(NumPyFile.magic + [1, 0, 0x76, 0] + Array("{'descr'".utf8),
                          "offset 8: the header claims 118 bytes but only 8 follow")
        try assertCorrupt(NumPyFile.magic + [2, 0] + littleEndianBytes(UInt32.max) + Array("{}".utf8),
                          "offset 8: the header claims 4294967295 bytes but only 2 follow")
    }

    func testCorruptHeaders() throws {
        try assertCorrupt(header: "hello", "offset 10: header is not a Python dict literal")
        try assertCorrupt(header: "  (1, 2)", "offset 12: header is not a Python dict literal")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ",
                          "offset 66: expected a string key or '}'")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk",
                          "offset 66: unexpected 'j' after the header's dict")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': False}", "offset 10: the header has no 'shape'")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", data: floatBytes([1]),
                          "offset 75: the header has key 'extra'; NumPy writes only 'descr', 'fortran_order' and 'shape'")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
                          "offset 44: fortran_order is 0, not True or False")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}",
                          "offset 44: 'Maybe' is not a Python literal")
        try assertCorrupt(header: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}",
                          "offset 20: dtype '<c8' is not one GIRD reads (it reads <f4, <f8, <f2, <i8, <i4, <i2, |i1, <u4, <u2, |u1, |b1)")
        try assertCorrupt(header: "{'descr': '|O', 'fortran_order': False, 'shape': (1,)}",
                          "offset 20: dtype '|O' is not one GIRD reads (it reads <f4, <f8, <f2, <i8, <i4, <i2, |i1, <u4, <u2, |u1, |b1)")
        try assertCorrupt(header: "{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,)}",
                          "offset 20: dtype (('x', '<f4'),) is a structured (record) type; GIRD reads plain numeric arrays")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}",
                          "offset 64: shape (2, -3) has -3, not a size")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': False, 'shape': 6}",
                          "offset 60: shape is 6, not a tuple of sizes")
        try assertCorrupt(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4)}",
                          "offset 60: shape (4611686018427387904, 4) holds more bytes than any file")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
                          "offset 61: shape (99999999999999999999,) has 99999999999999999999, not a size")
        try assertCorrupt(header: "{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((((((((((((((((((((((((((1,),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),)}",
                          "offset 91: the header is nested too deeply")
        // Version 3 headers are UTF-8.
        try assertCorrupt(NumPyFile.magic + [3, 0] + littleEndianBytes(UInt32(3)) + [0x7B, 0xC3, 0x7D],
                          "offset 12: the header is not valid UTF-8")
    }

    func testDataOfTheWrongLength() throws {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        try assertCorrupt(header: header, data: floatBytes([1, 2, 3, 4, 5]),
                          "offset 69: shape (2, 3) of <f4 needs 24 bytes of data but only 20 follow the header (a truncated file?)")
        try assertCorrupt(header: header, data: floatBytes([1, 2, 3, 4, 5, 6, 7]),
                          "offset 93: 4 bytes follow the 24 bytes of shape (2, 3) of <f4")
    }

    /// A hand-written header with its odd but legal spellings: double quotes,
    /// a list for the shape, Python 2's `L` suffix, no padding.
    func testAcceptsOtherLiteralSpellings() throws {
        let folder = try TemporaryFolder()
        let header = Array(#"{"shape": [2L, 1], 'fortran_order': False, "descr": "<i4"}"#.utf8)
        let bytes = NumPyFile.magic + [1, 0] + littleEndianBytes(UInt16(header.count)) + header + littleEndianBytes(Int32(-9)) + littleEndianBytes(Int32(4))
        let tensor = try NumPyFile.load(contentsOf: try folder.write(bytes, to: "odd.npy"))
        XCTAssertEqual(tensor.shape, [2, 1])
        XCTAssertEqual(tensor.toIndices(), [-9, 4])
    }

    func testNoCorruptionCrashes() throws {
        for name in ["float32_2x3.npy", "float32_v3.npy", "int64_2x2.npy", "float32_scalar.npy", "bool_3.npy"] {
            let loaded = assertEveryCorruptionIsReported(try fileBytes(fixturePath(name))) { _ = try NumPyFile.tensor(in: $0) }
            XCTAssertGreaterThan(loaded, 0, name)
        }
    }

    // MARK: Helpers

    private func assertCorrupt(_ bytes: [UInt8], _ message: String, line: UInt = #line) throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(bytes, to: "x.npy")
        assertThrows(try NumPyFile.load(contentsOf: path), "\(path): \(message)", line: line)
    }

    /// A version 1.0 file with `header` (at offset 10) and `data`.
    private func assertCorrupt(header: String, data: [UInt8] = [], _ message: String, line: UInt = #line) throws {
        let text = Array(header.utf8)
        try assertCorrupt(NumPyFile.magic + [1, 0] + littleEndianBytes(UInt16(text.count)) + text + data, message, line: line)
    }
}
