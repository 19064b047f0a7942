import Foundation
import XCTest

/// Runs a program on a pseudo-terminal, as a user's terminal would: the
/// child is a session leader whose controlling terminal is the pty's slave
/// (so Ctrl-C typed on it raises SIGINT in the child), and the test types
/// keystrokes into the master and reads what the program draws.
final class PseudoTerminal {
    let pid: pid_t
    private let master: Int32
    /// Everything the program wrote, escape codes included.
    private var bytes: [UInt8] = []
    var output: String { String(decoding: bytes, as: UTF8.self) }
    private var exitStatus: Int32?

    init(executable: String, arguments: [String] = [], environment: [String: String],
         columns: UInt16 = 100, rows: UInt16 = 30) throws {
        // posix_openpt/grantpt/unlockpt/ptsname are hidden from Swift's Glibc
        // (they need _XOPEN_SOURCE); on Linux they are these calls. The ioctl
        // numbers are function-like macros in C: _IOW('T', 0x31, int) and
        // _IOR('T', 0x30, unsigned int).
        let unlock: UInt = 0x4004_5431, number: UInt = 0x8004_5430
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var locked: Int32 = 0, index: UInt32 = 0
        guard master >= 0, ioctl(master, unlock, &locked) == 0, ioctl(master, number, &index) == 0 else {
            throw PseudoTerminalError.setup("/dev/ptmx: \(String(cString: strerror(errno)))")
        }
        let slavePath = "/dev/pts/\(index)"
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened after setsid (glibc runs the file actions after it), without
        // O_NOCTTY: the slave becomes the child's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, master)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // POSIX_SPAWN_SETSID (glibc 2.26+) is hidden behind _GNU_SOURCE too: 0x80.
        let setSession: Int32 = 0x80
        posix_spawnattr_setflags(&attributes, Int16(setSession | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw PseudoTerminalError.setup("posix_spawn \(executable): \(String(cString: strerror(status)))") }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// Types `text` (use "\r" for Enter, "\t" Tab, "\u{3}" Ctrl-C, "\u{4}"
    /// Ctrl-D, "\u{1B}[A" arrow up).
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            if written < 0 { if errno == EINTR { continue } else { return } }
            offset += written
        }
    }

    /// Reads until `text` has appeared at or after byte `offset` of the
    /// output; returns the offset just after it. Fails the test (showing what
    /// the program drew) on timeout.
    @discardableResult
    func waitFor(_ text: String, after offset: Int = 0, timeout: TimeInterval = 10,
                 file: StaticString = #filePath, line: UInt = #line) -> Int {
        let needle = Array(text.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let found = PseudoTerminal.find(needle, in: bytes, from: offset) { return found + needle.count }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                XCTFail("timed out waiting for \(text.debugDescription); the terminal shows:\n\(output.debugDescription)",
                        file: file, line: line)
                return bytes.count
            }
            _ = readAvailable(timeout: min(remaining, 0.2))
        }
    }

    /// Whether `text` appears at or after byte `offset`, after reading for a moment.
    func contains(_ text: String, after offset: Int = 0) -> Bool {
        while readAvailable(timeout: 0.2) {}
        return PseudoTerminal.find(Array(text.utf8), in: bytes, from: offset) != nil
    }

    var byteCount: Int { bytes.count }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from offset: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, offset <= haystack.count - needle.count else { return nil }
        for start in offset ... (haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start ..< start + needle.count].elementsEqual(needle) { return start }
        }
        return nil
    }

    /// The exit status once the program has ended (draining its output), or
    /// nil after `timeout`; a death by signal is reported as 128 + signal.
    func waitForExit(timeout: TimeInterval = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                while readAvailable(timeout: 0.05) {}
                let signal = status & 0x7F
                exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
                return exitStatus
            }
            _ = readAvailable(timeout: 0.05)
        }
        return nil
    }

    /// Appends what can be read within `timeout`; false when nothing came.
    private func readAvailable(timeout: TimeInterval) -> Bool {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(max(0, timeout) * 1000)) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &buffer, buffer.count)
        // EIO: every copy of the slave is closed, the program has ended.
        guard count > 0 else {
            if exitStatus == nil { usleep(10_000) }
            return false
        }
        bytes += buffer[..<count]
        return true
    }
}

enum PseudoTerminalError: Error {
    case setup(String)
}
