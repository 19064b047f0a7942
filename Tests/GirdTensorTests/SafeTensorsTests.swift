import XCTest
@testable import GirdTensor

final class SafeTensorsTests: XCTestCase {
    // MARK: Round trips

    func testRoundTripKeepsValuesShapesTypesAndMetadata() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("model.safetensors")
        let tensors: [(name: String, tensor: Tensor)] = [
            ("conv.weight", try Tensor(shape: [2, 1, 1, 3], values: [1, -2.5, 0, .infinity, 1e-30, -0.0])),
            ("bn.num_batches_tracked", try Tensor(shape: [], indices: [5])),
            ("labels", try Tensor(shape: [3], indices: [-(1 << 62), 0, Int64.max])),
            ("empty", Tensor.zeros([0, 3])),
            ("scalar", Tensor(2.5)),
        ]
        let metadata = ["format": "pt", "note": "a \"quoted\" é\n"]
        try SafeTensors.save(tensors, metadata: metadata, to: path)

        let loaded = try SafeTensors.load(contentsOf: path)
        XCTAssertEqual(loaded.keys.sorted(), tensors.map(\.name).sorted())
        for (name, tensor) in tensors {
            let copy = try XCTUnwrap(loaded[name])
            XCTAssertEqual(copy.shape, tensor.shape, name)
            XCTAssertEqual(copy.dtype, tensor.dtype, name)
            XCTAssertEqual(copy.toArray().map(\.bitPattern), tensor.toArray().map(\.bitPattern), name)
            XCTAssertEqual(copy.toIndices(), tensor.toIndices(), name)
        }
        XCTAssertEqual(try SafeTensors.metadata(contentsOf: path), metadata)
        XCTAssertEqual(folder.contents, ["model.safetensors"], "no temporary file is left behind")
    }

    /// The exact bytes: the header in the given order with `__metadata__`
    /// first, int64 data first in the buffer (so every tensor is aligned to
    /// its element size), the header padded with spaces to 8 bytes.
    func testWrittenLayout() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("layout.safetensors")
        try SafeTensors.save([
            ("w", try Tensor(shape: [1, 3], values: [1, 2, 3])),
            ("n", try Tensor(shape: [], indices: [7])),
        ], metadata: ["format": "pt"], to: path)
        let json = #"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[1,3],"data_offsets":[8,20]},"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}"#
        let padded = json + String(repeating: " ", count: (8 - (8 + json.utf8.count) % 8) % 8)
        XCTAssertEqual(padded.utf8.count % 8, 0)
        let expected = littleEndianBytes(UInt64(padded.utf8.count)) + Array(padded.utf8) + littleEndianBytes(Int64(7)) + floatBytes([1, 2, 3])
        XCTAssertEqual(try fileBytes(path), expected)
    }

    func testSaveReplacesAnExistingFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("w.safetensors")
        try SafeTensors.save([("a", Tensor.ones([100]))], to: path)
        try SafeTensors.save([("b", Tensor(1))], to: path)
        XCTAssertEqual(try SafeTensors.load(contentsOf: path).keys.sorted(), ["b"])
        XCTAssertEqual(try SafeTensors.metadata(contentsOf: path), [:])
        XCTAssertEqual(folder.contents, ["w.safetensors"])
    }

    func testSaveRefusals() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("w.safetensors")
        assertThrows(try SafeTensors.save([("a", Tensor(1)), ("a", Tensor(2))], to: path),
                     "\(path): two tensors are named 'a'")
        assertThrows(try SafeTensors.save([("__metadata__", Tensor(1))], to: path),
                     "\(path): no tensor can be named __metadata__, which the format reserves")
        let nowhere = folder.file("no/such/folder/w.safetensors")
        assertThrows(try SafeTensors.save([("a", Tensor(1))], to: nowhere),
                     "\(nowhere): cannot create a temporary file in \(folder.path)/no/such/folder: No such file or directory")
        XCTAssertEqual(folder.contents, [], "nothing was written")
    }

    // MARK: Files written by others

    /// A PyTorch `nn.Sequential(Conv2d, BatchNorm2d, Flatten, Linear)`
    /// state_dict written by scripts/make-io-fixtures.py: every float tensor
    /// holds arange(numel) * 0.25 - 1, num_batches_tracked is 7.
    func testReadsAPyTorchStateDictionary() throws {
        let path = fixturePath("torch_sequential.safetensors")
        let tensors = try SafeTensors.load(contentsOf: path)
        let shapes: [String: [Int]] = [
            "0.weight": [2, 1, 3, 3], "1.weight": [2], "1.bias": [2], "1.running_mean": [2], "1.running_var": [2],
            "3.weight": [3, 2], "3.bias": [3],
        ]
        XCTAssertEqual(tensors.keys.sorted(), (Array(shapes.keys) + ["1.num_batches_tracked"]).sorted())
        for (name, shape) in shapes {
            let tensor = try XCTUnwrap(tensors[name])
            XCTAssertEqual(tensor.shape, shape, name)
            XCTAssertEqual(tensor.dtype, .float32, name)
            XCTAssertEqual(tensor.toArray(), (0..<tensor.count).map { Float($0) * 0.25 - 1 }, name)
        }
        let tracked = try XCTUnwrap(tensors["1.num_batches_tracked"])
        XCTAssertEqual(tracked.shape, [])
        XCTAssertEqual(tracked.dtype, .int64)
        XCTAssertEqual(tracked.toIndices(), [7])
        XCTAssertEqual(try SafeTensors.metadata(contentsOf: path), ["format": "pt", "made_by": "scripts/make-io-fixtures.py"])
    }

    func testReadsEveryDtypePyTorchWrites() throws {
        let tensors = try SafeTensors.load(contentsOf: fixturePath("dtypes.safetensors"))
        func check(_ name: String, _ shape: [Int], floats: [Float]? = nil, integers: [Int64]? = nil) throws {
            let tensor = try XCTUnwrap(tensors[name], name)
            XCTAssertEqual(tensor.shape, shape, name)
            if let floats {
                XCTAssertEqual(tensor.dtype, .float32, name)
                XCTAssertEqual(tensor.toArray(), floats, name)
            }
            if let integers {
                XCTAssertEqual(tensor.dtype, .int64, name)
                XCTAssertEqual(tensor.toIndices(), integers, name)
            }
        }
        try check("f64", [2], floats: [Float(0.1 as Double), -2.5])
        try check("f16", [3], floats: [0.5, -2, 65504])
        try check("bf16", [3], floats: [1, -0.15625, 0x1p100])
        try check("i32", [2, 1], integers: [-7, Int64(Int32.max)])
        try check("u8", [2], integers: [0, 255])
        try check("bool", [2], integers: [1, 0])
        try check("i64", [2], integers: [-(1 << 62), 5])
        try check("scalar", [], floats: [2.5])
        try check("empty", [0, 4], floats: [])
        XCTAssertEqual(tensors.count, 9)
    }

    // MARK: Missing and corrupt files

    func testMissingFileAndFolder() throws {
        let folder = try TemporaryFolder()
        let missing = folder.file("teacher.safetensors")
        assertThrows(try SafeTensors.load(contentsOf: missing), "\(missing): cannot open: No such file or directory")
        assertThrows(try SafeTensors.metadata(contentsOf: missing), "\(missing): cannot open: No such file or directory")
        assertThrows(try SafeTensors.load(contentsOf: folder.path), "\(folder.path): cannot read: Is a directory")
    }

    func testTruncatedHeaderLengthAndHeader() throws {
        try assertCorrupt([1, 2, 3, 4, 5], "offset 0: the file has 5 bytes, too few for the 8-byte header length of a safetensors file")
        try assertCorrupt([], "offset 0: the file has 0 bytes, too few for the 8-byte header length of a safetensors file")
        try assertCorrupt(littleEndianBytes(UInt64(812)) + Array(repeating: 0x20, count: 412),
                          "offset 8: the header claims 812 bytes but only 412 follow")
        try assertCorrupt(littleEndianBytes(UInt64.max) + [0x7B, 0x7D, 0x20, 0x20],
                          "offset 8: the header claims 18446744073709551615 bytes but only 4 follow")
    }

    /// Users will hand `loadWeights` the `.pth` file `torch.save` wrote.
    func testPyTorchCheckpointsAreRecognised() throws {
        try assertCorrupt([0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0x08] + Array(repeating: 0, count: 40),
                          "offset 0: this is a zip archive (a PyTorch .pt/.pth checkpoint?), not a safetensors file; convert it with scripts/pytorch-to-safetensors.py")
        try assertCorrupt([0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8],
                          "offset 0: this is a Python pickle (a legacy PyTorch checkpoint?), not a safetensors file; convert it with scripts/pytorch-to-safetensors.py")
    }

    func testMalformedJSON() throws {
        try assertCorrupt(header: "", "offset 8: invalid JSON: expected a value, found the end")
        let doubleComma = #"{"a": {"dtype": "F32", "shape": [1],, "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: doubleComma, "offset \(offset(of: ",,", in: doubleComma) + 1): invalid JSON: expected a string key, found ','")
        let unterminated = #"{"a": {"dtype": "F32"#
        try assertCorrupt(header: unterminated, "offset \(offset(of: "\"F32", in: unterminated)): invalid JSON: unterminated string")
        try assertCorrupt(header: "[1, 2]", "offset 8: the header is [1, 2], not a JSON object")
        try assertCorrupt(header: "{} x", "offset 11: invalid JSON: unexpected 'x' after the JSON value")
        try assertCorrupt(header: String(repeating: "[", count: 100), "offset 72: invalid JSON: nested more than 64 levels deep")
        let duplicate = #"{"w": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}, "w": {}}"#
        try assertCorrupt(header: duplicate, data: floatBytes([1]),
                          "offset \(offset(of: "\"w\": {}", in: duplicate)): invalid JSON: duplicate key \"w\"")
        // A name that is not UTF-8.
        let bytes = Array(#"{"w"#.utf8) + [0xFF] + Array(#"": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}"#.utf8)
        try assertCorrupt(littleEndianBytes(UInt64(bytes.count)) + bytes + floatBytes([1]),
                          "offset 9: invalid JSON: string is not valid UTF-8")
    }

    func testMalformedEntries() throws {
        let unknown = #"{"w": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: unknown, data: floatBytes([1]),
                          "offset \(offset(of: "\"Q7\"", in: unknown)): tensor 'w' has dtype \"Q7\", which GIRD cannot read (it reads F32, F64, F16, BF16, I64, I32, I16, I8, U32, U16, U8, BOOL)")
        let negative = #"{"w": {"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: negative, data: floatBytes([1]),
                          "offset \(offset(of: "-1", in: negative)): tensor 'w' has shape [2, -1], and -1 is not a size")
        let fraction = #"{"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: fraction, data: floatBytes([1]),
                          "offset \(offset(of: "2.5", in: fraction)): tensor 'w' has shape [2.5], and 2.5 is not a size")
        let huge = #"{"w": {"dtype": "F32", "shape": [99999999999999999999], "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: huge, data: floatBytes([1]),
                          "offset \(offset(of: "999", in: huge)): tensor 'w' has shape [99999999999999999999], and 99999999999999999999 is not a size")
        let overflowing = #"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: overflowing, data: floatBytes([1]),
                          "offset \(offset(of: "[46", in: overflowing)): tensor 'w' has shape [4611686018427387904, 4], more bytes than any file holds")
        let missingShape = #"{"w": {"dtype": "F32", "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: missingShape, data: floatBytes([1]),
                          "offset \(offset(of: "{\"dtype", in: missingShape)): tensor 'w' has no \"shape\"")
        let notObject = #"{"w": [1, 2]}"#
        try assertCorrupt(header: notObject, "offset \(offset(of: "[1", in: notObject)): tensor 'w' is described by [1, 2], not an object")
        let backwards = #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#
        try assertCorrupt(header: backwards, data: floatBytes([1]),
                          "offset \(offset(of: "[8", in: backwards)): tensor 'w' has data_offsets [8, 4], not [begin, end] with 0 <= begin <= end")
        let metadata = #"{"__metadata__": {"epoch": 3}}"#
        try assertCorrupt(header: metadata, "offset \(offset(of: "3}", in: metadata)): __metadata__ value of \"epoch\" is 3, not a string")
    }

    func testDataOffsetsInconsistentWithTheFile() throws {
        let wrongSpan = #"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: wrongSpan, data: floatBytes([1]),
                          "offset \(offset(of: "[0", in: wrongSpan)): tensor 'w' is F32 [2], 8 bytes, but its data_offsets [0, 4] span 4")
        // The data cut short, as by an interrupted copy.
        let truncated = #"{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}"#
        try assertCorrupt(header: truncated, data: floatBytes([1, 2]),
                          "offset \(offset(of: "[0", in: truncated)): tensor 'w' has data_offsets [0, 16] but the data buffer at offset \(8 + truncated.utf8.count) holds only 8 bytes (a truncated file?)")
        let overlapping = #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#
        try assertCorrupt(header: overlapping, data: floatBytes([1, 2, 3]),
                          "offset \(offset(of: "[4", in: overlapping)): tensor 'b' has data_offsets [4, 12], which overlap those of 'a' [0, 8]")
        let gap = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}"#
        try assertCorrupt(header: gap, data: floatBytes([1, 2, 3]),
                          "offset \(8 + gap.utf8.count + 4): bytes [4, 8) of the data buffer belong to no tensor")
        let trailing = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#
        try assertCorrupt(header: trailing, data: floatBytes([1]) + [0, 0],
                          "offset \(8 + trailing.utf8.count + 4): the last 2 bytes of the file belong to no tensor")
    }

    func testHeaderPaddingAndEmptyFileAreAccepted() throws {
        let folder = try TemporaryFolder()
        let header = #"  {"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "__metadata__": {}}   "#
        let path = try folder.write(littleEndianBytes(UInt64(header.utf8.count)) + Array(header.utf8) + floatBytes([4.5]), to: "w.safetensors")
        XCTAssertEqual(try SafeTensors.load(contentsOf: path)["w"]?.toArray(), [4.5])
        let empty = try folder.write(littleEndianBytes(UInt64(2)) + Array("{}".utf8), to: "empty.safetensors")
        XCTAssertEqual(try SafeTensors.load(contentsOf: empty).count, 0)
    }

    func testNoCorruptionCrashes() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("small.safetensors")
        try SafeTensors.save([
            ("w", try Tensor(shape: [2, 2], values: [1, 2, 3, 4])), ("n", try Tensor(shape: [], indices: [3])), ("e", Tensor.zeros([0])),
        ], metadata: ["k": "v"], to: path)
        let loaded = assertEveryCorruptionIsReported(try fileBytes(path)) { _ = try SafeTensors.tensors(in: $0) }
        XCTAssertGreaterThan(loaded, 0, "changes to the data bytes still load")
    }

    // MARK: Helpers

    /// Writes the bytes and checks both readers refuse them with `message`
    /// (after the path).
    private func assertCorrupt(_ bytes: [UInt8], _ message: String, line: UInt = #line) throws {
        let folder = try TemporaryFolder()
        let path = try folder.write(bytes, to: "corrupt.safetensors")
        assertThrows(try SafeTensors.load(contentsOf: path), "\(path): \(message)", line: line)
        assertThrows(try SafeTensors.metadata(contentsOf: path), "\(path): \(message)", line: line)
    }

    private func assertCorrupt(header: String, data: [UInt8] = [], _ message: String, line: UInt = #line) throws {
        try assertCorrupt(littleEndianBytes(UInt64(header.utf8.count)) + Array(header.utf8) + data, message, line: line)
    }

    /// The file offset of `fragment` in a header written at offset 8.
    private func offset(of fragment: String, in header: String) -> Int {
        8 + header.utf8.distance(from: header.startIndex, to: header.range(of: fragment)!.lowerBound)
    }
}
