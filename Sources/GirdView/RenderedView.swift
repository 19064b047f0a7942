/// Lines of terminal text (possibly with colour escapes) and the number of
/// columns they take on screen, which is what side-by-side layout needs.
public struct RenderedView: Equatable {
    public let lines: [String]
    public let width: Int

    public init(lines: [String]) {
        self.lines = lines
        width = lines.map(VisibleText.width).max() ?? 0
    }

    public var text: String { lines.joined(separator: "\n") }
}

/// Screen width of text that contains SGR escape sequences (`ESC [ ... m`).
public enum VisibleText {
    public static func width(_ text: String) -> Int {
        var count = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                // A CSI sequence ends with its final byte, a letter.
                if (0x40 ... 0x7E).contains(scalar.value) && scalar != "[" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                count += 1
            }
        }
        return count
    }
}
