/// The subset of Python literals that `.npy` headers are written in (NumPy
/// reads them with `ast.literal_eval`): dicts, tuples, lists, strings,
/// integers, `True`, `False`, `None`; each with its file offset for errors.
struct PythonLiteral {
    indirect enum Value {
        case dict([(key: String, value: PythonLiteral)])
        /// A tuple or a list.
        case sequence([PythonLiteral])
        case string(String)
        case integer(String)
        case bool(Bool)
        case none
    }

    let value: Value
    let offset: Int

    /// Parses the whole of `text` (whose first character is at `offset` in
    /// `file`) as one literal, whitespace around it allowed.
    static func parse(_ text: String, at offset: Int, in file: FileBytes) throws -> PythonLiteral {
        var parser = Parser(characters: Array(text.unicodeScalars), file: file, base: offset)
        parser.skipWhitespace()
        let literal = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == parser.characters.count else {
            throw file.malformed(at: parser.fileOffset, "unexpected '\(parser.characters[parser.position])' after the header's dict")
        }
        return literal
    }

    /// How the value reads in Python, for error messages.
    var excerpt: String {
        switch value {
        case .dict: return "a dict"
        case .sequence(let items): return "(" + items.map(\.excerpt).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .string(let string): return "'\(string)'"
        case .integer(let digits): return digits
        case .bool(let flag): return flag ? "True" : "False"
        case .none: return "None"
        }
    }

    private struct Parser {
        let characters: [Unicode.Scalar]
        let file: FileBytes
        let base: Int
        var position = 0
        var depth = 0

        init(characters: [Unicode.Scalar], file: FileBytes, base: Int) {
            self.characters = characters
            self.file = file
            self.base = base
        }

        /// Headers are latin-1 or ASCII in practice, one byte per character;
        /// a UTF-8 (version 3) header with wider characters shifts offsets
        /// after them, which is good enough for an error message.
        var fileOffset: Int { base + position }

        var current: Unicode.Scalar? { position < characters.count ? characters[position] : nil }

        func error(_ message: String, at start: Int? = nil) -> WeightFileError {
            file.malformed(at: base + (start ?? position), message)
        }

        mutating func skipWhitespace() {
            while let character = current, character == " " || character == "\t" || character == "\n" || character == "\r" {
                position += 1
            }
        }

        mutating func parseValue() throws -> PythonLiteral {
            let start = position
            func literal(_ value: Value) -> PythonLiteral { PythonLiteral(value: value, offset: base + start) }
            switch current {
            case "{": return literal(try parseDict())
            case "(": return literal(.sequence(try parseSequence(closing: ")")))
            case "[": return literal(.sequence(try parseSequence(closing: "]")))
            case "'", "\"": return literal(.string(try parseString()))
            case let character? where character == "-" || character == "+" || ("0"..."9").contains(character):
                return literal(.integer(try parseInteger()))
            case let character? where character.properties.isAlphabetic:
                var word = ""
                while let next = current, next.properties.isAlphabetic || next == "_" { word.unicodeScalars.append(next); position += 1 }
                switch word {
                case "True": return literal(.bool(true))
                case "False": return literal(.bool(false))
                case "None": return literal(.none)
                default: throw error("'\(word)' is not a Python literal", at: start)
                }
            case nil: throw error("the header ends where a value was expected")
            case let character?: throw error("unexpected '\(character)' where a value was expected")
            }
        }

        mutating func enter() throws {
            depth += 1
            guard depth <= 32 else { throw error("the header is nested too deeply") }
        }

        mutating func parseDict() throws -> Value {
            try enter()
            defer { depth -= 1 }
            position += 1
            var members: [(key: String, value: PythonLiteral)] = []
            while true {
                skipWhitespace()
                if current == "}" { position += 1; return .dict(members) }
                let keyStart = position
                guard current == "'" || current == "\"" else { throw error("expected a string key or '}'") }
                let key = try parseString()
                guard !members.contains(where: { $0.key == key }) else { throw error("key '\(key)' appears twice", at: keyStart) }
                skipWhitespace()
                guard current == ":" else { throw error("expected ':' after key '\(key)'") }
                position += 1
                skipWhitespace()
                members.append((key, try parseValue()))
                skipWhitespace()
                if current == "," { position += 1; continue }
                guard current == "}" else { throw error("expected ',' or '}'") }
            }
        }

        mutating func parseSequence(closing: Unicode.Scalar) throws -> [PythonLiteral] {
            try enter()
            defer { depth -= 1 }
            position += 1
            var items: [PythonLiteral] = []
            while true {
                skipWhitespace()
                if current == closing { position += 1; return items }
                items.append(try parseValue())
                skipWhitespace()
                if current == "," { position += 1; continue }
                guard current == closing else { throw error("expected ',' or '\(closing)'") }
            }
        }

        mutating func parseString() throws -> String {
            let start = position
            let quote = current!
            position += 1
            var text = ""
            while true {
                guard let character = current, character != "\n" else { throw error("unterminated string", at: start) }
                position += 1
                if character == quote { return text }
                if character == "\\" {
                    guard let escaped = current else { throw error("unterminated string", at: start) }
                    position += 1
                    text.unicodeScalars.append(escaped)
                } else {
                    text.unicodeScalars.append(character)
                }
            }
        }

        mutating func parseInteger() throws -> String {
            let start = position
            var digits = ""
            if current == "-" || current == "+" {
                if current == "-" { digits = "-" }
                position += 1
            }
            while let character = current, ("0"..."9").contains(character) { digits.unicodeScalars.append(character); position += 1 }
            // Python 2's NumPy wrote long integers as `3L`.
            if current == "L" { position += 1 }
            guard digits.last.map({ $0 != "-" }) ?? false else { throw error("a number needs digits", at: start) }
            return digits
        }
    }
}
