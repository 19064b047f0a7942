#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C: the signal handler only sets a flag, which the interpreter reads
/// at loop back-edges and calls (every few thousand steps) and turns into an
/// interrupt error; the command line exits with 130.
public enum Interrupt {
    nonisolated(unsafe) static var requested: Int32 = 0

    /// Installs the SIGINT handler (once per process).
    public static func installHandler() {
        signal(SIGINT) { _ in Interrupt.requested = 1 }
    }

    public static func request() { requested = 1 }
    public static func clear() { requested = 0 }
    static var isRequested: Bool { requested != 0 }
}
