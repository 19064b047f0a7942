import CLineEditing
import Foundation

/// Reads lines from a terminal with libedit's native API: Emacs keys by
/// default, vi keys when `~/.editrc` says `bind -v` (libedit reads that file,
/// and any other settings in it, with `el_source`), ↑/↓ through the
/// session's `History`, Tab through a `CompletionProvider`.
///
/// Ctrl-C at the prompt clears the line (`.cancelled`): the terminal's
/// signal keys are off while a line is edited (`setty -isig`), so Ctrl-C is
/// a key bound to `gird-cancel` rather than a SIGINT that libedit would turn
/// into a failed read. Ctrl-D on an empty line is the end of input (nil).
///
/// The C callbacks (prompt, Tab, Ctrl-C) find this object through libedit's
/// client data, so no global state is needed and several editors could coexist.
public final class LineEditor {
    public enum Input: Equatable {
        case line(String)
        /// Ctrl-C: the line (and any unfinished statement) is dropped.
        case cancelled
    }

    private let editor: OpaquePointer
    private let libeditHistory: OpaquePointer
    public let history: History
    private let completion: CompletionProvider?
    private var prompt: UnsafeMutablePointer<CChar>
    private var cancelled = false

    /// Nil when libedit cannot set up the terminal; the caller then reads
    /// without editing.
    public init?(programName: String = "gird", history: History, completion: CompletionProvider?) {
        LineEditor.useUTF8Locale()
        guard let editor = gird_editline_open(programName, stdin, stdout, stderr) else { return nil }
        guard let libeditHistory = gird_history_open(Int32(history.limit)) else {
            el_end(editor)
            return nil
        }
        self.editor = editor
        self.libeditHistory = libeditHistory
        self.history = history
        self.completion = completion
        prompt = strdup(InputAccumulator.primaryPrompt)
        for entry in history.entries { gird_history_enter(libeditHistory, entry) }
        gird_editline_use_history(editor, libeditHistory)
        gird_editline_set_client_data(editor, Unmanaged.passUnretained(self).toOpaque())
        gird_editline_set_prompt(editor, LineEditor.promptCallback)
        // The user's ~/.editrc (or $EDITRC) first, so that `bind -v` is in
        // force before our keys are bound into the chosen keymaps.
        el_source(editor, nil)
        gird_editline_add_function(editor, "gird-complete", "complete the word at the cursor", LineEditor.completeCallback)
        gird_editline_add_function(editor, "gird-cancel", "drop the line being typed", LineEditor.cancelCallback)
        gird_editline_bind(editor, "^I", "gird-complete")
        gird_editline_bind(editor, "^C", "gird-cancel")
    }

    deinit {
        el_end(editor)
        history_end(libeditHistory)
        free(prompt)
    }

    public var isViMode: Bool { gird_editline_is_vi(editor) != 0 }

    /// One line, without its newline; nil at the end of input (Ctrl-D on an
    /// empty line, or the terminal closing).
    public func readLine(prompt text: String) -> Input? {
        free(prompt)
        prompt = strdup(text)
        cancelled = false
        var count: Int32 = 0
        gird_editline_prepare_terminal(editor)
        let raw = el_gets(editor, &count)
        // Checked first: Ctrl-C on an empty line also returns no text.
        if cancelled {
            fputs("^C\n", stdout)
            fflush(stdout)
            return .cancelled
        }
        guard let raw, count > 0 else { return nil }
        var line = String(cString: raw)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    /// Records a statement for ↑ now and for the next session.
    public func remember(_ entry: String) {
        let movesAnOlderCopy = history.entries.contains(entry)
        history.add(entry)
        if movesAnOlderCopy {
            // libedit only drops consecutive repeats: rebuild its list in our order.
            gird_history_clear(libeditHistory)
            for entry in history.entries { gird_history_enter(libeditHistory, entry) }
        } else if history.entries.last == entry {
            gird_history_enter(libeditHistory, entry)
        }
    }

    // MARK: Callbacks from libedit

    private static func instance(_ editor: OpaquePointer?) -> LineEditor? {
        guard let editor, let data = gird_editline_client_data(editor) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
    }

    private static let promptCallback: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { editor in
        instance(editor)?.prompt
    }

    private static let cancelCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { editor, _ in
        instance(editor)?.cancelled = true
        return UInt8(CC_NEWLINE)
    }

    private static let completeCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { editor, _ in
        guard let editor, let self_ = instance(editor) else { return UInt8(CC_ERROR) }
        return self_.complete(editor)
    }

    private func complete(_ editor: OpaquePointer) -> UInt8 {
        guard let completion, let info = el_line(editor)?.pointee,
              let buffer = info.buffer, let cursorPointer = info.cursor, let last = info.lastchar else {
            return UInt8(CC_ERROR)
        }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self),
                                        count: last - buffer)
        let line = String(decoding: bytes, as: UTF8.self)
        let cursor = cursorPointer - buffer
        let answer = completion.completions(line: line, cursor: cursor)
        let from = min(max(0, answer.replaceFrom), cursor)
        let typed = String(decoding: bytes[from ..< cursor], as: UTF8.self)
        guard !answer.candidates.isEmpty else { return UInt8(CC_ERROR) }  // beeps
        let replacement: String
        if answer.candidates.count == 1 {
            replacement = answer.candidates[0]
        } else {
            let common = commonPrefix(answer.candidates)
            guard common.count > typed.count else {
                fputs("\n" + CandidateList.layout(answer.candidates, width: Terminal.columns()) + "\n", stdout)
                fflush(stdout)
                return UInt8(CC_REDISPLAY)
            }
            replacement = common
        }
        // el_deletestr counts characters (code points), not bytes.
        el_deletestr(editor, Int32(typed.unicodeScalars.count))
        el_insertstr(editor, replacement)
        return UInt8(CC_REFRESH)
    }

    /// libedit decodes input with the C library's multibyte functions: in
    /// the "C" locale, anything beyond ASCII would be garbled.
    private static func useUTF8Locale() {
        let current = setlocale(LC_CTYPE, "").map { String(cString: $0) } ?? "C"
        if current == "C" || current == "POSIX" { setlocale(LC_CTYPE, "C.UTF-8") }
    }
}

/// Candidates in columns, as a shell lists them.
enum CandidateList {
    static func layout(_ candidates: [String], width: Int) -> String {
        let cell = (candidates.map(\.count).max() ?? 0) + 2
        let perLine = max(1, width / cell)
        var lines: [String] = []
        for start in stride(from: 0, to: candidates.count, by: perLine) {
            let row = candidates[start ..< min(start + perLine, candidates.count)]
            lines.append(row.map { $0.padding(toLength: cell, withPad: " ", startingAt: 0) }.joined())
        }
        return lines.map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }
}
