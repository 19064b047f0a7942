/// How a heatmap is drawn: which escape codes the terminal understands.
public enum ColorMode: Equatable {
    /// `ESC[38;2;R;G;Bm`: 24-bit colour.
    case trueColor
    /// `ESC[38;5;Nm`: the xterm 256-colour palette (nearest cube or grey entry).
    case palette256
    /// No escape codes at all (a pipe, a file, a dumb terminal): an ASCII
    /// ramp. (Not `.none`, which an optional `ColorMode?` would read as nil.)
    case plain
}

public enum ColorSupport {
    /// The mode for an output: no colour unless it is a terminal; 24-bit
    /// when the terminal announces it (`COLORTERM=truecolor` or `24bit`, the
    /// convention of terminals that have it); otherwise 256 colours, which
    /// every terminal in use today supports, whatever TERM says (except
    /// `TERM=dumb`, which promises no escape codes at all: plain). The
    /// environment is a parameter so that callers (and tests) choose it; the
    /// REPL passes `ProcessInfo.processInfo.environment`.
    public static func detect(environment: [String: String], isTerminal: Bool) -> ColorMode {
        guard isTerminal else { return .plain }
        if environment["TERM"] == "dumb" { return .plain }
        let colorTerm = environment["COLORTERM"]?.lowercased() ?? ""
        if colorTerm == "truecolor" || colorTerm == "24bit" { return .trueColor }
        return .palette256
    }
}

/// The xterm 256-colour palette: entries 16–231 are a 6x6x6 colour cube,
/// 232–255 a ramp of 24 greys (the first 16 vary between terminals and are
/// never chosen).
public enum Palette256 {
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The entry closest to `color` (squared RGB distance), between the
    /// nearest cube colour and the nearest grey.
    public static func index(of color: RGB) -> Int {
        let channels = [Int(color.red), Int(color.green), Int(color.blue)]
        let cube = channels.map(nearestCubeLevel)
        let cubeColor = cube.map { cubeLevels[$0] }
        let cubeIndex = 16 + 36 * cube[0] + 6 * cube[1] + cube[2]

        // Greys are 8, 18, ..., 238: level k is 8 + 10k.
        let average = channels.reduce(0, +) / 3
        let greyStep = Swift.min(23, Swift.max(0, (average - 3) / 10))
        let greyLevel = 8 + 10 * greyStep

        func distance(_ other: [Int]) -> Int {
            zip(channels, other).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        return distance([greyLevel, greyLevel, greyLevel]) < distance(cubeColor) ? 232 + greyStep : cubeIndex
    }

    private static func nearestCubeLevel(_ value: Int) -> Int {
        var best = 0
        for (index, level) in cubeLevels.enumerated() where abs(level - value) < abs(cubeLevels[best] - value) {
            best = index
        }
        return best
    }
}
