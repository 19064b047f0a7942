import Foundation

/// The text of one recipe (a file, an `-e` argument, a REPL entry), with its
/// lines split once so that an error can quote the line it points at.
public final class SourceFile {
    /// Every file of the process, so that a span can name its file by index
    /// and stay a plain value (no reference count touched when the
    /// evaluator passes spans around).
    private nonisolated(unsafe) static var registered: [SourceFile] = []
    private static let lock = NSLock()

    static func file(at index: Int) -> SourceFile {
        lock.lock()
        defer { lock.unlock() }
        return registered[index]
    }

    /// This file's index in the registry.
    private(set) var index = 0

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
        SourceFile.lock.lock()
        index = SourceFile.registered.count
        SourceFile.registered.append(self)
        SourceFile.lock.unlock()
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
    private let fileIndex: Int32
    private let storedLength: Int32
    public let line: Int
    public let column: Int

    public init(file: SourceFile, line: Int, column: Int, length: Int) {
        self.fileIndex = Int32(truncatingIfNeeded: file.index)
        self.line = line
        self.column = column
        self.storedLength = Int32(clamping: max(1, length))
    }

    public var file: SourceFile { SourceFile.file(at: Int(fileIndex)) }
    public var length: Int { Int(storedLength) }

    /// Whether two spans start at the same place of the same file.
    func startsWhere(_ other: SourceSpan) -> Bool {
        fileIndex == other.fileIndex && line == other.line && column == other.column
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
