import Foundation

/// The lines entered at the prompt, kept across sessions in
/// `~/.gird_history`: one entry per statement (a multi-line one is one
/// entry), a re-entered statement moves to the end instead of appearing
/// twice, and only the newest `limit` are kept.
///
/// File format: UTF-8, one entry per line, `\` written `\\` and a newline
/// inside an entry written `\n`. Saving merges with what other sessions
/// saved meanwhile (re-read, then this session's entries added on top) and
/// replaces the file atomically (temporary file + rename), so two REPLs
/// closing at once lose nothing but the older order.
public final class History {
    public let path: String?
    public let limit: Int
    public private(set) var entries: [String] = []
    /// Added since loading, in order: what this session contributes on save.
    private var added: [String] = []

    public init(path: String?, limit: Int = 1000) {
        self.path = path
        self.limit = max(1, limit)
        if let path { entries = History.read(path) }
        trim()
    }

    /// `~/.gird_history`, HOME first (what the user set), then the password
    /// database. The recipe language is hermetic; this front end may read HOME.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let home = environment["HOME"], !home.isEmpty { return home + "/.gird_history" }
        guard let record = getpwuid(getuid()), let directory = record.pointee.pw_dir else { return nil }
        return String(cString: directory) + "/.gird_history"
    }

    public func add(_ entry: String) {
        var entry = entry
        while entry.hasSuffix("\n") { entry.removeLast() }
        guard !entry.allSatisfy(\.isWhitespace) else { return }
        History.insert(entry, into: &entries)
        added.append(entry)
        trim()
    }

    public func save() throws {
        guard let path else { return }
        var merged = History.read(path)
        for entry in added { History.insert(entry, into: &merged) }
        if merged.count > limit { merged.removeFirst(merged.count - limit) }
        let text = merged.map(History.escape).map { $0 + "\n" }.joined()
        try History.writeAtomically(Data(text.utf8), to: path)
        entries = merged
        added = []
    }

    private static func insert(_ entry: String, into list: inout [String]) {
        list.removeAll { $0 == entry }
        list.append(entry)
    }

    private func trim() {
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
    }

    static func escape(_ entry: String) -> String {
        entry.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func unescape(_ line: Substring) -> String {
        var result = ""
        var escaped = false
        for character in line {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// A missing or unreadable file is an empty history: losing the
    /// history must never stop the REPL from starting.
    private static func read(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var list: [String] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            insert(unescape(line), into: &list)
        }
        return list
    }

    private static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw HistoryError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw HistoryError.cannotWrite(path: path, reason: reason)
        }
    }
}

public enum HistoryError: Error, Equatable, CustomStringConvertible {
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotWrite(path, reason): return "cannot save the history to \(path): \(reason)"
        }
    }
}
