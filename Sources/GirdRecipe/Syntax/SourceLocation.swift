/// The text of one recipe (a file, an `-e` argument, a REPL entry), with its
/// lines split once so that an error can quote the line it points at.
public final class SourceFile {
    /// The name errors print: a path, `<-e>` or `<repl>`.
    public let name: String
    /// The directory imports look in first; nil for text with no file.
    public let directory: String?
    let text: [UInt8]
    private(set) lazy var lineStarts: [Int] = {
        var starts = [0]
        for (offset, byte) in text.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        return starts
    }()

    public init(name: String, text: String, directory: String? = nil) {
        self.name = name
        self.text = Array(text.utf8)
        self.directory = directory
    }

    /// Line `line` (1-based) without its newline.
    func line(_ line: Int) -> String {
        guard line >= 1 && line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : text.count
        if end > start && text[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: text[start..<max(start, end)], as: UTF8.self)
    }
}

/// Where a node or token sits: its first character (1-based line and column,
/// counted in characters) and its length in characters on that line.
public struct SourceSpan {
    public let file: SourceFile
    public let line: Int
    public let column: Int
    public let length: Int

    public init(file: SourceFile, line: Int, column: Int, length: Int) {
        self.file = file
        self.line = line
        self.column = column
        self.length = max(1, length)
    }

    /// From the start of `self` to the end of `other` when both are on one
    /// line; otherwise to the end of `self`'s line.
    func through(_ other: SourceSpan) -> SourceSpan {
        if other.line == line && other.column + other.length > column {
            return SourceSpan(file: file, line: line, column: column, length: other.column + other.length - column)
        }
        if other.line > line {
            let rest = file.line(line).count - column + 1
            return SourceSpan(file: file, line: line, column: column, length: max(length, rest))
        }
        return self
    }

    public var description: String { "\(file.name):\(line):\(column)" }
}
