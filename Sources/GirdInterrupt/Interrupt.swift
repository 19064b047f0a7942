import CInterrupt

/// Ctrl-C during a computation, for the whole process: the SIGINT handler
/// (in C, `CInterrupt`) only sets a flag; the computation looks at it at
/// its safe points (the interpreter at loop back-edges and calls, a
/// training run between steps, the REPL around each entry) and unwinds,
/// so that every binding made before stays intact. The language and the
/// REPL both read it through this one type, so a press is seen whichever
/// module installed the handler. While a line is being edited, Ctrl-C is a
/// key instead (GirdREPL's `LineEditor`), which clears the line. A third
/// Ctrl-C that no safe point has seen ends the process (status 130): the
/// way out of a computation that never reaches one.
public enum Interrupt {
    /// Installs the handler (idempotent). System calls interrupted by the
    /// signal are restarted, so a file being read when Ctrl-C comes in is
    /// not reported as a read error.
    public static func install() {
        gird_interrupt_install(1)
    }

    /// Whether Ctrl-C was pressed (or `request()` called) since the last
    /// `clear()`; reading it does not consume it.
    public static var isPending: Bool { gird_interrupt_pending() != 0 }

    /// As if Ctrl-C had been pressed once: the computation stops at its next
    /// safe point (tests, and code that wants to stop a run).
    public static func request() {
        gird_interrupt_request()
    }

    /// At a safe point: throws `Interrupted` if Ctrl-C is pending, consuming
    /// it. (The interpreter consumes it with `clear()` and raises its own
    /// error, which carries the recipe's line.)
    public static func check() throws {
        if isPending {
            clear()
            throw Interrupted()
        }
    }

    /// Consumes a pending Ctrl-C, or forgets one no computation was there to see.
    public static func clear() {
        gird_interrupt_clear()
    }
}

/// Thrown by `Interrupt.check()`; the REPL reports it and shows a new prompt.
public struct Interrupted: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
