import Foundation

/// Tab completion as the REPL does it, from what the interpreter knows:
/// - in a string literal: file paths (`PathCompletion`);
/// - `:wo` at the start of the line: the REPL's commands;
/// - after `receiver.`: the receiver's members (a model's methods and taps,
///   a record's fields), as `members` reports them for the receiver's text;
/// - otherwise: names (builtins and bindings) beginning with the word typed.
/// The closures must not evaluate anything with side effects: Tab answers
/// at once.
public struct ReplCompleter: CompletionProvider {
    public var names: () -> [String]
    public var members: (_ receiver: String) -> [String]
    public var currentDirectory: () -> String

    public init(names: @escaping () -> [String], members: @escaping (_ receiver: String) -> [String],
                currentDirectory: @escaping () -> String = { FileManager.default.currentDirectoryPath }) {
        self.names = names
        self.members = members
        self.currentDirectory = currentDirectory
    }

    public func completions(line: String, cursor: Int) -> Completion {
        if let paths = PathCompletion.complete(line: line, cursor: cursor, currentDirectory: currentDirectory()) {
            return paths
        }
        let bytes = Array(line.utf8.prefix(cursor))
        let before = String(decoding: bytes, as: UTF8.self)
        if ReplCommand.isCommand(before), !before.trimmingWhitespace().contains(" ") {
            let typed = before.trimmingWhitespace()
            return Completion(replaceFrom: cursor - typed.utf8.count, candidates: ReplCommand.completions(of: typed))
        }
        var wordStart = bytes.count
        while wordStart > 0, isIdentifierByte(bytes[wordStart - 1]) { wordStart -= 1 }
        let word = String(decoding: bytes[wordStart...], as: UTF8.self)
        let pool: [String]
        if wordStart > 0, bytes[wordStart - 1] == UInt8(ascii: ".") {
            var receiverStart = wordStart - 1
            while receiverStart > 0, isIdentifierByte(bytes[receiverStart - 1]) || bytes[receiverStart - 1] == UInt8(ascii: ".") {
                receiverStart -= 1
            }
            let receiver = String(decoding: bytes[receiverStart ..< wordStart - 1], as: UTF8.self)
            guard !receiver.isEmpty else { return Completion(replaceFrom: wordStart, candidates: []) }
            pool = members(receiver)
        } else {
            pool = names()
        }
        let candidates = Array(Set(pool.filter { $0.hasPrefix(word) })).sorted()
        return Completion(replaceFrom: wordStart, candidates: candidates)
    }

    private func isIdentifierByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte >= 0x80
    }
}
