import Foundation
import GirdView

/// Facts about the standard streams that decide how the REPL behaves.
public enum Terminal {
    /// Whether `descriptor` is a terminal (not a pipe or a file).
    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) != 0 }

    /// How `show` should draw on standard output: nil on a pipe or a file
    /// (the summary line alone), else the colours the terminal announces.
    public static func heatmapMode(environment: [String: String] = ProcessInfo.processInfo.environment) -> ColorMode? {
        guard isTerminal(STDOUT_FILENO) else { return nil }
        return ColorSupport.detect(environment: environment, isTerminal: true)
    }

    /// The width of the terminal on standard output; 80 when unknown.
    public static func columns() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
