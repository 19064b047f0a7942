/// A JSON value together with the file offset where it starts, so that a
/// reader can say where in the file a value it refuses is.
public struct JSONNode {
    public enum Value {
        /// Members in file order (duplicates are refused while parsing).
        case object([(key: String, value: JSONNode)])
        case array([JSONNode])
        case string(String)
        /// The number's text, as written: the readers want exact integers.
        case number(String)
        case bool(Bool)
        case null
    }

    public let value: Value
    public let offset: Int

    /// The value as a non-negative integer that fits an `Int`, if it is one.
    var nonNegativeInteger: Int? {
        guard case let .number(text) = value, let integer = Int(text), integer >= 0 else { return nil }
        return integer
    }

    /// How the value was written, for error messages (strings quoted, long values cut).
    var excerpt: String {
        let text: String
        switch value {
        case .object: text = "an object"
        case .array(let items): text = "[" + items.map(\.excerpt).joined(separator: ", ") + "]"
        case .string(let string): text = "\"\(string)\""
        case .number(let number): text = number
        case .bool(let flag): text = flag ? "true" : "false"
        case .null: text = "null"
        }
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}

/// A strict JSON parser (RFC 8259) over bytes of a file, for the headers of
/// weight files and the JSON files recipes read: it needs no Foundation,
/// refuses duplicate keys instead of silently keeping one, keeps numbers
/// exact (as their text: Foundation's parser rounds some doubles to a
/// neighbour) and members in file order, and reports every error with its
/// byte offset in the file.
public struct JSONReader {
    private let file: FileBytes
    private let bytes: UnsafeRawBufferPointer
    /// Where `bytes` starts in the file.
    private let base: Int
    private var position = 0
    private var depth = 0
    /// Headers are two levels deep; anything far deeper is an attack on the stack.
    private static let maximumDepth = 64

    /// The whole file at `path` as one JSON value (whitespace around it allowed).
    public static func parse(contentsOf path: String) throws -> JSONNode {
        try FileBytes.withContents(of: path) { file in try parse(file.bytes, at: 0, in: file) }
    }

    /// Parses `bytes` (found at `offset` in `file`) as one JSON value,
    /// allowing whitespace (the padding writers add) around it.
    static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int, in file: FileBytes) throws -> JSONNode {
        var reader = JSONReader(file: file, bytes: bytes, base: offset)
        reader.skipWhitespace()
        let value = try reader.parseValue()
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw reader.error("unexpected \(reader.describeCurrent()) after the JSON value") }
        return value
    }

    private init(file: FileBytes, bytes: UnsafeRawBufferPointer, base: Int) {
        self.file = file
        self.bytes = bytes
        self.base = base
    }

    private func error(_ message: String, at position: Int? = nil) -> WeightFileError {
        file.malformed(at: base + (position ?? self.position), "invalid JSON: \(message)")
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func describeCurrent() -> String {
        guard let byte = current else { return "the end" }
        return byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16)
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard current == byte else { throw error("expected \(what), found \(describeCurrent())") }
        position += 1
    }

    private mutating func parseValue() throws -> JSONNode {
        let start = position
        switch current {
        case UInt8(ascii: "{"): return JSONNode(value: try parseObject(), offset: base + start)
        case UInt8(ascii: "["): return JSONNode(value: try parseArray(), offset: base + start)
        case UInt8(ascii: "\""): return JSONNode(value: .string(try parseString()), offset: base + start)
        case UInt8(ascii: "t"): try parseLiteral("true"); return JSONNode(value: .bool(true), offset: base + start)
        case UInt8(ascii: "f"): try parseLiteral("false"); return JSONNode(value: .bool(false), offset: base + start)
        case UInt8(ascii: "n"): try parseLiteral("null"); return JSONNode(value: .null, offset: base + start)
        case let byte? where byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte):
            return JSONNode(value: .number(try parseNumber()), offset: base + start)
        default:
            throw error("expected a value, found \(describeCurrent())")
        }
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= JSONReader.maximumDepth else { throw error("nested more than \(JSONReader.maximumDepth) levels deep") }
    }

    private mutating func parseObject() throws -> JSONNode.Value {
        try enter()
        defer { depth -= 1 }
        position += 1
        var members: [(key: String, value: JSONNode)] = []
        var seen = Set<String>()
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            let keyStart = position
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key, found \(describeCurrent())") }
            let key = try parseString()
            guard seen.insert(key).inserted else { throw error("duplicate key \"\(key)\"", at: keyStart) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return .object(members) }
            try expect(UInt8(ascii: ","), "',' or '}'")
        }
    }

    private mutating func parseArray() throws -> JSONNode.Value {
        try enter()
        defer { depth -= 1 }
        position += 1
        var items: [JSONNode] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return .array(items) }
            try expect(UInt8(ascii: ","), "',' or ']'")
        }
    }

    private mutating func parseLiteral(_ word: String) throws {
        let start = position
        for expected in word.utf8 {
            guard current == expected else { throw error("expected a value, found \(describeCurrent())", at: start) }
            position += 1
        }
    }

    private mutating func parseNumber() throws -> String {
        let start = position
        func digits() -> Int {
            let first = position
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            return position - first
        }
        if current == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("a number needs digits", at: start) }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw error("a number cannot start with 0", at: start) }
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("a number needs digits after '.'", at: start) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("a number needs digits in its exponent", at: start) }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func parseString() throws -> String {
        let start = position
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw error("unterminated string", at: start) }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw error("string is not valid UTF-8", at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw error("control character 0x\(String(byte, radix: 16)) in a string", at: position - 1)
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws {
        let start = position - 1
        guard let byte = current else { throw error("unterminated string", at: start) }
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let replacement = simple[byte] { utf8.append(replacement); return }
        guard byte == UInt8(ascii: "u") else { throw error("invalid escape '\\\(Character(Unicode.Scalar(byte)))'", at: start) }
        var scalar = try parseHex4(escapeStart: start)
        if (0xD800..<0xDC00).contains(scalar) {
            // A high surrogate must be followed by an escaped low one.
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate in \\u escape", at: start)
            }
            position += 2
            let low = try parseHex4(escapeStart: start)
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape", at: start) }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("unpaired surrogate in \\u escape", at: start) }
        utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
    }

    private mutating func parseHex4(escapeStart: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
                throw error("\\u needs four hexadecimal digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}

/// JSON text for writers: a string literal with the escapes JSON requires.
public func jsonQuoted(_ string: String) -> String {
    var text = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": text += "\\\""
        case "\\": text += "\\\\"
        case "\n": text += "\\n"
        case "\r": text += "\\r"
        case "\t": text += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: text.unicodeScalars.append(scalar)
        }
    }
    return text + "\""
}
