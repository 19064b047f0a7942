import CInterrupt

/// Ctrl-C: the signal handler (C, `CInterrupt`) only sets a flag, which the
/// interpreter reads at loop back-edges and calls (every few thousand
/// steps), a training run between steps, and the REPL around each entry.
/// It is the same flag `GirdREPL.Interrupt` wraps: one source of truth,
/// whichever module installed the handler. A safe point that sees it
/// consumes it and raises an interrupt error; the command line exits with
/// 130, the REPL goes back to its prompt.
public enum Interrupt {
    /// Installs the SIGINT handler (idempotent).
    public static func installHandler() {
        gird_interrupt_install(1)
    }

    public static func request() { gird_interrupt_request() }
    public static func clear() { gird_interrupt_clear() }
    static var isRequested: Bool { gird_interrupt_pending() != 0 }
}
