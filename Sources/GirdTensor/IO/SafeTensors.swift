/// Hugging Face's safetensors format, the way weights travel between PyTorch
/// and GIRD without pickle:
///
///     8 bytes   N, the header's length (unsigned little-endian)
///     N bytes   UTF-8 JSON: {"__metadata__": {"key": "value"},
///                            "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
///               (may end in spaces: writers pad it so the data starts 8-byte aligned)
///     the rest  the data buffer: each tensor row-major little-endian at [begin, end) of it
///
/// Reading is as strict as the reference implementation: the tensors must
/// cover the buffer exactly (no overlaps, no gaps, nothing after the last),
/// each span must be exactly dtype × shape bytes, and names are unique.
public enum SafeTensors {
    /// Every tensor in the file by name: F32, F64, F16 and BF16 read as
    /// float32; I64, I32, I16, I8, U32, U16, U8 and BOOL as int64.
    public static func load(contentsOf path: String) throws -> [String: Tensor] {
        try FileBytes.withContents(of: path, tensors(in:))
    }

    static func tensors(in file: FileBytes) throws -> [String: Tensor] {
        let header = try SafeTensorsHeader(file)
        var tensors: [String: Tensor] = [:]
        for entry in header.entries {
            let bytes = try file.slice(at: header.dataStart + entry.begin, count: entry.end - entry.begin,
                                       for: "tensor '\(entry.name)'")
            tensors[entry.name] = entry.element.makeTensor(shape: entry.shape, from: bytes)
        }
        return tensors
    }

    /// The `__metadata__` strings (empty if the file has none). The whole
    /// header is checked, but no tensor is copied.
    public static func metadata(contentsOf path: String) throws -> [String: String] {
        try FileBytes.withContents(of: path) { try SafeTensorsHeader($0).metadata }
    }

    /// Writes `tensors` (float32 as F32, int64 as I64) under their names,
    /// atomically: a reader of `path` sees the old file or the whole new one.
    /// The header lists the tensors in the given order; in the buffer the
    /// int64 ones come first, so that every tensor's data is aligned to its
    /// element size, as the reference writer arranges it.
    public static func save(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws {
        var names = Set<String>()
        for (name, _) in tensors {
            guard name != SafeTensorsHeader.metadataKey else {
                throw WeightFileError.invalidArgument(path: path, message: "no tensor can be named \(SafeTensorsHeader.metadataKey), which the format reserves")
            }
            guard names.insert(name).inserted else {
                throw WeightFileError.invalidArgument(path: path, message: "two tensors are named '\(name)'")
            }
        }
        let dataOrder = tensors.indices.sorted { (tensors[$0].tensor.dtype.byteSize, $1) > (tensors[$1].tensor.dtype.byteSize, $0) }
        var spans = [(begin: Int, end: Int)](repeating: (0, 0), count: tensors.count)
        var end = 0
        for index in dataOrder {
            let tensor = tensors[index].tensor
            spans[index] = (end, end + tensor.count * tensor.dtype.byteSize)
            end = spans[index].end
        }

        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { jsonQuoted($0.key) + ":" + jsonQuoted($0.value) }
            members.append(jsonQuoted(SafeTensorsHeader.metadataKey) + ":{" + pairs.joined(separator: ",") + "}")
        }
        for (index, (name, tensor)) in tensors.enumerated() {
            let dtype = tensor.dtype == .float32 ? "F32" : "I64"
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append(jsonQuoted(name) + ":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(spans[index].begin),\(spans[index].end)]}")
        }
        var header = Array(("{" + members.joined(separator: ",") + "}").utf8)
        while (8 + header.count) % 8 != 0 { header.append(UInt8(ascii: " ")) }

        try AtomicFileWriter.write(to: path) { writer in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try writer.append($0) }
            try writer.append(header)
            for index in dataOrder {
                try tensors[index].tensor.withPlainBytes { try writer.append($0) }
            }
        }
    }
}

/// A safetensors header, checked against the file it came from.
struct SafeTensorsHeader {
    struct Entry {
        let name: String
        let element: StoredElement
        let shape: [Int]
        /// The span in the data buffer, end exclusive.
        let begin: Int, end: Int
        /// Where the entry's `data_offsets` are in the file, for errors.
        let offsetsPosition: Int
    }

    static let metadataKey = "__metadata__"
    static let elements: [(name: String, element: StoredElement)] = [
        ("F32", .float32), ("F64", .float64), ("F16", .float16), ("BF16", .bfloat16),
        ("I64", .int64), ("I32", .int32), ("I16", .int16), ("I8", .int8),
        ("U32", .uint32), ("U16", .uint16), ("U8", .uint8), ("BOOL", .bool),
    ]

    /// In the order of the file's header.
    private(set) var entries: [Entry] = []
    private(set) var metadata: [String: String] = [:]
    /// Where the data buffer starts in the file.
    let dataStart: Int

    init(_ file: FileBytes) throws {
        guard file.count >= 8 else {
            throw file.malformed(at: 0, "the file has \(file.count) bytes, too few for the 8-byte header length of a safetensors file")
        }
        let claimed = try file.unsignedInteger(at: 0, byteCount: 8, for: "the header length")
        guard claimed <= UInt64(file.count - 8) else {
            if let kind = SafeTensorsHeader.pyTorchCheckpointKind(file) {
                throw file.malformed(at: 0, "this is \(kind), not a safetensors file; convert it with scripts/pytorch-to-safetensors.py")
            }
            throw file.malformed(at: 8, "the header claims \(claimed) bytes but only \(file.count - 8) follow")
        }
        dataStart = 8 + Int(claimed)
        let root = try JSONReader.parse(try file.slice(at: 8, count: Int(claimed), for: "the header"), at: 8, in: file)
        guard case let .object(members) = root.value else {
            throw file.malformed(at: root.offset, "the header is \(root.excerpt), not a JSON object")
        }
        for (name, node) in members {
            if name == SafeTensorsHeader.metadataKey {
                metadata = try SafeTensorsHeader.metadata(node, file)
            } else {
                entries.append(try SafeTensorsHeader.entry(name, node, file))
            }
        }
        try checkSpans(bufferLength: file.count - dataStart, file)
    }

    /// What `torch.save` writes (a zip archive since PyTorch 1.6, a pickle
    /// before), recognised only once the file has failed as safetensors:
    /// users will hand us their `.pth` teachers.
    private static func pyTorchCheckpointKind(_ file: FileBytes) -> String? {
        let start = Array(file.bytes.prefix(4))
        if start == [0x50, 0x4B, 0x03, 0x04] { return "a zip archive (a PyTorch .pt/.pth checkpoint?)" }
        if start.count >= 2, start[0] == 0x80, (2...5).contains(start[1]) { return "a Python pickle (a legacy PyTorch checkpoint?)" }
        return nil
    }

    private static func metadata(_ node: JSONNode, _ file: FileBytes) throws -> [String: String] {
        guard case let .object(members) = node.value else {
            throw file.malformed(at: node.offset, "\(metadataKey) is \(node.excerpt), not an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, value) in members {
            guard case let .string(text) = value.value else {
                throw file.malformed(at: value.offset, "\(metadataKey) value of \"\(key)\" is \(value.excerpt), not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func entry(_ name: String, _ node: JSONNode, _ file: FileBytes) throws -> Entry {
        guard case let .object(fields) = node.value else {
            throw file.malformed(at: node.offset, "tensor '\(name)' is described by \(node.excerpt), not an object")
        }
        func field(_ key: String) throws -> JSONNode {
            guard let value = fields.first(where: { $0.key == key })?.value else {
                throw file.malformed(at: node.offset, "tensor '\(name)' has no \"\(key)\"")
            }
            return value
        }
        let dtypeNode = try field("dtype")
        guard case let .string(dtype) = dtypeNode.value else {
            throw file.malformed(at: dtypeNode.offset, "tensor '\(name)' has dtype \(dtypeNode.excerpt), not a string")
        }
        guard let element = elements.first(where: { $0.name == dtype })?.element else {
            throw file.malformed(at: dtypeNode.offset, "tensor '\(name)' has dtype \"\(dtype)\", which GIRD cannot read (it reads \(elements.map(\.name).joined(separator: ", ")))")
        }

        let shapeNode = try field("shape")
        guard case let .array(sizes) = shapeNode.value else {
            throw file.malformed(at: shapeNode.offset, "tensor '\(name)' has shape \(shapeNode.excerpt), not a list of sizes")
        }
        var shape: [Int] = []
        for size in sizes {
            guard let value = size.nonNegativeInteger else {
                throw file.malformed(at: size.offset, "tensor '\(name)' has shape \(shapeNode.excerpt), and \(size.excerpt) is not a size")
            }
            shape.append(value)
        }
        guard let (_, byteCount) = checkedByteCount(shape, elementSize: element.byteSize) else {
            throw file.malformed(at: shapeNode.offset, "tensor '\(name)' has shape \(formatShape(shape)), more bytes than any file holds")
        }

        let offsetsNode = try field("data_offsets")
        guard case let .array(bounds) = offsetsNode.value, bounds.count == 2,
              let begin = bounds[0].nonNegativeInteger, let end = bounds[1].nonNegativeInteger, begin <= end else {
            throw file.malformed(at: offsetsNode.offset, "tensor '\(name)' has data_offsets \(offsetsNode.excerpt), not [begin, end] with 0 <= begin <= end")
        }
        guard end - begin == byteCount else {
            throw file.malformed(at: offsetsNode.offset, "tensor '\(name)' is \(dtype) \(formatShape(shape)), \(byteCount) bytes, but its data_offsets [\(begin), \(end)] span \(end - begin)")
        }
        return Entry(name: name, element: element, shape: shape, begin: begin, end: end, offsetsPosition: offsetsNode.offset)
    }

    /// The spans must lie in the buffer and tile it exactly.
    private func checkSpans(bufferLength: Int, _ file: FileBytes) throws {
        let sorted = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        if let outside = sorted.first(where: { $0.end > bufferLength }) {
            throw file.malformed(at: outside.offsetsPosition, "tensor '\(outside.name)' has data_offsets [\(outside.begin), \(outside.end)] but the data buffer at offset \(dataStart) holds only \(bufferLength) bytes (a truncated file?)")
        }
        var covered = 0
        var previous: Entry?
        for entry in sorted {
            if entry.begin < covered, let previous {
                throw file.malformed(at: entry.offsetsPosition, "tensor '\(entry.name)' has data_offsets [\(entry.begin), \(entry.end)], which overlap those of '\(previous.name)' [\(previous.begin), \(previous.end)]")
            }
            if entry.begin > covered {
                throw file.malformed(at: dataStart + covered, "bytes [\(covered), \(entry.begin)) of the data buffer belong to no tensor")
            }
            covered = entry.end
            previous = entry
        }
        guard covered == bufferLength else {
            throw file.malformed(at: dataStart + covered, "the last \(bufferLength - covered) bytes of the file belong to no tensor")
        }
    }
}
