import Foundation

/// File paths inside a string literal: `load_npy("data/fe` + Tab lists the
/// entries of `data/` beginning with `fe`. Directories end with `/` so that
/// the next Tab goes on into them; hidden entries appear only when the typed
/// name starts with `.`. Relative paths resolve against the current
/// directory, as paths in recipes do.
public enum PathCompletion {
    /// The UTF-8 offset just after the opening quote of the string literal
    /// the cursor is in, or nil when the cursor is in code (or a comment).
    public static func openString(in line: String, cursor: Int) -> Int? {
        var inString = false
        var start = 0
        var escaped = false
        var offset = 0
        for byte in line.utf8.prefix(cursor) {
            offset += 1
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                start = offset
            } else if byte == UInt8(ascii: "#") {
                return nil
            }
        }
        return inString ? start : nil
    }

    public static func complete(line: String, cursor: Int,
                                currentDirectory: String = FileManager.default.currentDirectoryPath) -> Completion? {
        guard let start = openString(in: line, cursor: cursor) else { return nil }
        let typed = String(decoding: Array(line.utf8)[start ..< cursor], as: UTF8.self)
        let slash = typed.lastIndex(of: "/")
        let folderPart = slash.map { String(typed[...$0]) } ?? ""
        let namePrefix = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        let folder = folderPart.hasPrefix("/") ? folderPart : currentDirectory + "/" + folderPart
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            return Completion(replaceFrom: cursor, candidates: [])
        }
        let candidates = names
            .filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }
            .sorted()
            .map { name -> String in
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: folder + name, isDirectory: &isDirectory)
                return exists && isDirectory.boolValue ? name + "/" : name
            }
        return Completion(replaceFrom: cursor - namePrefix.utf8.count, candidates: candidates)
    }
}
