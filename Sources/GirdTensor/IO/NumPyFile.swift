/// NumPy's `.npy` format (`numpy.save` / `numpy.load`), format versions 1.0,
/// 2.0 and 3.0:
///
///     6 bytes     \x93NUMPY
///     2 bytes     major, minor version
///     2 or 4      the header's length, little-endian (2 bytes in version 1)
///     header      a Python dict literal, latin-1 (UTF-8 in version 3), padded
///                 with spaces and ended by '\n' so the data starts 64-byte aligned:
///                 {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
///     data        the values, in C order if fortran_order is False
public enum NumPyFile {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    static let elements: [(descr: String, element: StoredElement)] = [
        ("<f4", .float32), ("<f8", .float64), ("<f2", .float16),
        ("<i8", .int64), ("<i4", .int32), ("<i2", .int16), ("|i1", .int8),
        ("<u4", .uint32), ("<u2", .uint16), ("|u1", .uint8), ("|b1", .bool),
    ]

    /// The array in the file: float32, float64 and float16 read as float32;
    /// int64, int32, int16, int8, uint32, uint16, uint8 and bool as int64.
    /// Little-endian, C order, any rank (0-d and zero-size included).
    public static func load(contentsOf path: String) throws -> Tensor {
        try FileBytes.withContents(of: path, tensor(in:))
    }

    static func tensor(in file: FileBytes) throws -> Tensor {
        let header = try NumPyHeader(file)
        let bytes = try file.slice(at: header.dataStart, count: header.byteCount, for: "the data")
        return header.element.makeTensor(shape: header.shape, from: bytes)
    }

    /// Writes `tensor` as `numpy.save` would (float32 as '<f4', int64 as
    /// '<i8', format 1.0), atomically.
    public static func save(_ tensor: Tensor, to path: String) throws {
        let descr = tensor.dtype == .float32 ? "<f4" : "<i8"
        let sizes = tensor.shape.map(String.init)
        let shape = "(" + sizes.joined(separator: ", ") + (sizes.count == 1 ? ",)" : ")")
        let dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        // As NumPy pads: the header with its '\n' ends on a 64-byte boundary
        // (a full 64 spaces when it already would: NumPy's own arithmetic).
        var version: UInt8 = 1
        var lengthSize = 2
        var padding = 64 - (magic.count + 2 + lengthSize + dict.utf8.count + 1) % 64
        if dict.utf8.count + 1 + padding > Int(UInt16.max) {
            version = 2
            lengthSize = 4
            padding = 64 - (magic.count + 2 + lengthSize + dict.utf8.count + 1) % 64
        }
        let header = Array(dict.utf8) + [UInt8](repeating: UInt8(ascii: " "), count: padding) + [UInt8(ascii: "\n")]
        var prefix = magic + [version, 0]
        for index in 0..<lengthSize { prefix.append(UInt8(truncatingIfNeeded: header.count >> (8 * index))) }

        try AtomicFileWriter.write(to: path) { writer in
            try writer.append(prefix + header)
            try tensor.withPlainBytes { try writer.append($0) }
        }
    }
}

/// A `.npy` header, checked against the file it came from.
struct NumPyHeader {
    let element: StoredElement
    let shape: [Int]
    let byteCount: Int
    let dataStart: Int

    init(_ file: FileBytes) throws {
        guard file.count >= 8, Array(file.bytes.prefix(6)) == NumPyFile.magic else {
            throw file.malformed(at: 0, "not a .npy file: it does not start with \\x93NUMPY")
        }
        let major = file.bytes[6], minor = file.bytes[7]
        guard (1...3).contains(major) else {
            throw file.malformed(at: 6, "format version \(major).\(minor) is not one GIRD reads (1.0, 2.0, 3.0)")
        }
        let lengthSize = major == 1 ? 2 : 4
        let headerStart = 8 + lengthSize
        let claimed = Int(try file.unsignedInteger(at: 8, byteCount: lengthSize, for: "the header length"))
        guard claimed <= file.count - headerStart else {
            throw file.malformed(at: 8, "the header claims \(claimed) bytes but only \(max(0, file.count - headerStart)) follow")
        }
        let headerBytes = try file.slice(at: headerStart, count: claimed, for: "the header")
        let text: String
        if major >= 3 {
            guard let decoded = String(validating: headerBytes, as: UTF8.self) else {
                throw file.malformed(at: headerStart, "the header is not valid UTF-8")
            }
            text = decoded
        } else {
            text = String(String.UnicodeScalarView(headerBytes.map { Unicode.Scalar($0) }))   // latin-1
        }
        let leadingSpaces = text.unicodeScalars.prefix { $0 == " " }.count
        guard text.unicodeScalars.dropFirst(leadingSpaces).first == "{" else {
            throw file.malformed(at: headerStart + leadingSpaces, "header is not a Python dict literal")
        }
        let literal = try PythonLiteral.parse(text, at: headerStart, in: file)
        guard case let .dict(members) = literal.value else {
            throw file.malformed(at: literal.offset, "header is not a Python dict literal")
        }
        func member(_ key: String) throws -> PythonLiteral {
            guard let value = members.first(where: { $0.key == key })?.value else {
                throw file.malformed(at: literal.offset, "the header has no '\(key)'")
            }
            return value
        }
        if let extra = members.first(where: { !["descr", "fortran_order", "shape"].contains($0.key) }) {
            throw file.malformed(at: extra.value.offset, "the header has key '\(extra.key)'; NumPy writes only 'descr', 'fortran_order' and 'shape'")
        }

        let descrNode = try member("descr")
        element = try NumPyHeader.element(descrNode, file)

        let orderNode = try member("fortran_order")
        guard case let .bool(fortranOrder) = orderNode.value else {
            throw file.malformed(at: orderNode.offset, "fortran_order is \(orderNode.excerpt), not True or False")
        }
        guard !fortranOrder else {
            throw file.malformed(at: orderNode.offset, "fortran_order is True (column-major data); GIRD reads C order only: save numpy.ascontiguousarray(a)")
        }

        let shapeNode = try member("shape")
        guard case let .sequence(sizes) = shapeNode.value else {
            throw file.malformed(at: shapeNode.offset, "shape is \(shapeNode.excerpt), not a tuple of sizes")
        }
        var shape: [Int] = []
        for size in sizes {
            guard case let .integer(digits) = size.value, let value = Int(digits), value >= 0 else {
                throw file.malformed(at: size.offset, "shape \(shapeNode.excerpt) has \(size.excerpt), not a size")
            }
            shape.append(value)
        }
        guard let (_, byteCount) = checkedByteCount(shape, elementSize: element.byteSize) else {
            throw file.malformed(at: shapeNode.offset, "shape \(shapeNode.excerpt) holds more bytes than any file")
        }
        self.shape = shape
        self.byteCount = byteCount
        dataStart = headerStart + claimed

        let available = file.count - dataStart
        let description = "shape \(shapeNode.excerpt) of \(NumPyHeader.descr(of: element))"
        guard available >= byteCount else {
            throw file.malformed(at: dataStart, "\(description) needs \(byteCount) bytes of data but only \(available) follow the header (a truncated file?)")
        }
        guard available == byteCount else {
            throw file.malformed(at: dataStart + byteCount, "\(available - byteCount) bytes follow the \(byteCount) bytes of \(description)")
        }
    }

    private static func descr(of element: StoredElement) -> String {
        NumPyFile.elements.first { $0.element == element }!.descr
    }

    private static func element(_ node: PythonLiteral, _ file: FileBytes) throws -> StoredElement {
        guard case let .string(descr) = node.value else {
            throw file.malformed(at: node.offset, "dtype \(node.excerpt) is a structured (record) type; GIRD reads plain numeric arrays")
        }
        // One-byte types have no byte order; NumPy writes them with '|'.
        if let element = NumPyFile.elements.first(where: { $0.element.byteSize == 1 && $0.descr.dropFirst() == descr.dropFirst() && "|<>=".contains(descr.prefix(1)) })?.element {
            return element
        }
        if let element = NumPyFile.elements.first(where: { $0.descr == descr })?.element {
            return element
        }
        if descr.hasPrefix(">"), NumPyFile.elements.contains(where: { $0.descr.dropFirst() == descr.dropFirst() }) {
            throw file.malformed(at: node.offset, "dtype '\(descr)' is big-endian; GIRD reads little-endian arrays only: save a.astype('<\(descr.dropFirst())')")
        }
        throw file.malformed(at: node.offset, "dtype '\(descr)' is not one GIRD reads (it reads \(NumPyFile.elements.map(\.descr).joined(separator: ", ")))")
    }
}
