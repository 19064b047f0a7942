import CInterrupt

/// Ctrl-C during a computation: the SIGINT handler (in C, `CInterrupt`)
/// only sets a flag, the same one GirdRecipe's `Interrupt` reads; the evaluator looks at it at its safe points (between
/// statements, loop iterations, training batches) and unwinds, so that
/// every binding made before stays intact. While a line is being edited,
/// Ctrl-C is a key instead (`LineEditor`), which clears the line. A third
/// Ctrl-C that no safe point has seen ends the process (status 130): the
/// way out of a computation that never reaches one.
public enum Interrupt {
    /// Installs the handler (idempotent). System calls interrupted by the
    /// signal are restarted, so a file being read when Ctrl-C comes in is
    /// not reported as a read error.
    public static func install() {
        gird_interrupt_install(1)
    }

    public static var isPending: Bool { gird_interrupt_pending() != 0 }

    /// At a safe point: throws `Interrupted` if Ctrl-C was pressed since the
    /// last reset, consuming it.
    public static func check() throws {
        if gird_interrupt_pending() != 0 {
            gird_interrupt_clear()
            throw Interrupted()
        }
    }

    /// Forgets a Ctrl-C that no computation was there to see.
    public static func reset() {
        gird_interrupt_clear()
    }
}

/// Thrown by `Interrupt.check()`; the REPL reports it and shows a new prompt.
public struct Interrupted: Error, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
