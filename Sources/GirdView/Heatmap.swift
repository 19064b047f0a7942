import GirdTensor

/// A matrix drawn in a terminal.
///
/// With colour, each text line holds two rows of cells: the upper half-block
/// `▀` takes the upper cell's colour as foreground and the lower one's as
/// background, so cells are roughly square. Without colour (`.plain`), one
/// character per cell from the ramp ` .:-=+*#%@` (dark to bright), `?` for
/// NaN. Values are scaled to the finite min...max of the whole matrix (or a
/// given range); a constant matrix sits in the middle of the map; +inf and
/// -inf take the ends; NaN cells are magenta. A matrix larger than the space
/// is shrunk by block averaging. The last line is a legend:
/// `min <colour bar> max`, plus `NaN` in its colour when there are NaNs.
public enum Heatmap {
    public static let asciiRamp: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    public struct Options: Equatable {
        public var mode: ColorMode
        public var colorMap: ColorMap
        /// Cells across (characters).
        public var maxColumns: Int
        /// Text lines for the map, not counting the legend.
        public var maxLines: Int
        /// Cells in the legend's colour bar.
        public var legendWidth: Int
        /// A fixed scale (to compare two maps); nil: the matrix's own.
        public var range: ClosedRange<Float>?

        public init(mode: ColorMode, colorMap: ColorMap = .viridis, maxColumns: Int = 64,
                    maxLines: Int = 16, legendWidth: Int = 16, range: ClosedRange<Float>? = nil) {
            self.mode = mode
            self.colorMap = colorMap
            self.maxColumns = maxColumns
            self.maxLines = maxLines
            self.legendWidth = legendWidth
            self.range = range
        }
    }

    public static func render(_ tensor: Tensor, channel: Int = 0, sample: Int = 0, options: Options) throws -> RenderedView {
        render(try ValueGrid(tensor, channel: channel, sample: sample), options: options)
    }

    public static func render(_ grid: ValueGrid, options: Options) -> RenderedView {
        let scale = Scale(grid: grid, options: options)
        let cellRows = options.mode == .plain ? options.maxLines : 2 * options.maxLines
        let cells = grid.downsampled(maxRows: cellRows, maxColumns: options.maxColumns)
        var lines = options.mode == .plain ? asciiLines(cells, scale) : colorLines(cells, scale, options.mode)
        lines.append(legend(scale, options, showsNaN: grid.values.contains { $0.isNaN }))
        return RenderedView(lines: lines)
    }

    private static func asciiLines(_ cells: ValueGrid, _ scale: Scale) -> [String] {
        (0 ..< cells.rows).map { row in
            String((0 ..< cells.columns).map { column in
                asciiCharacter(scale.position(of: cells.values[row * cells.columns + column]))
            })
        }
    }

    static func asciiCharacter(_ position: Double?) -> Character {
        guard let position else { return "?" }
        return asciiRamp[Swift.min(asciiRamp.count - 1, Int(position * Double(asciiRamp.count)))]
    }

    private static func colorLines(_ cells: ValueGrid, _ scale: Scale, _ mode: ColorMode) -> [String] {
        stride(from: 0, to: cells.rows, by: 2).map { upperRow in
            var line = ""
            var previous = ""
            for column in 0 ..< cells.columns {
                let upper = scale.color(of: cells.values[upperRow * cells.columns + column])
                // An odd last row has no lower cell: the background stays the terminal's.
                let lower = upperRow + 1 < cells.rows
                    ? scale.color(of: cells.values[(upperRow + 1) * cells.columns + column]) : nil
                let code = Escape.colors(foreground: upper, background: lower, mode: mode)
                // Runs of one colour need the code once.
                if code != previous { line += code }
                previous = code
                line += "▀"
            }
            return line + Escape.reset
        }
    }

    private static func legend(_ scale: Scale, _ options: Options, showsNaN: Bool) -> String {
        let count = Swift.max(2, options.legendWidth)
        let positions = (0 ..< count).map { Double($0) / Double(count - 1) }
        let low = NumberFormat.short(Double(scale.low)), high = NumberFormat.short(Double(scale.high))
        if options.mode == .plain {
            let bar = String(positions.map(asciiCharacter))
            return "\(low) [\(bar)] \(high)" + (showsNaN ? "  ? NaN" : "")
        }
        var bar = ""
        var previous = ""
        for position in positions {
            let code = Escape.colors(foreground: options.colorMap.color(at: position), background: nil, mode: options.mode)
            if code != previous { bar += code }
            previous = code
            bar += "█"
        }
        var line = "\(low) \(bar)\(Escape.reset) \(high)"
        if showsNaN {
            line += "  " + Escape.colors(foreground: ColorMap.nanColor, background: nil, mode: options.mode)
                + "█" + Escape.reset + " NaN"
        }
        return line
    }
}

/// Where values fall on the colour map.
struct Scale {
    let low: Float
    let high: Float
    let colorMap: ColorMap

    init(grid: ValueGrid, options: Heatmap.Options) {
        colorMap = options.colorMap
        var range = options.range ?? grid.finiteRange.map { $0.min ... $0.max } ?? 0 ... 0
        if options.colorMap == .diverging {
            // Symmetric, so that the map's white middle is exactly 0.
            let extent = Swift.max(Swift.abs(range.lowerBound), Swift.abs(range.upperBound))
            range = -extent ... extent
        }
        low = range.lowerBound
        high = range.upperBound
    }

    /// 0...1 along the map, nil for NaN.
    func position(of value: Float) -> Double? {
        if value.isNaN { return nil }
        // A constant matrix has no scale: its cells take the middle of the map.
        if high == low { return value > high ? 1 : value < low ? 0 : 0.5 }
        let position = (Double(value) - Double(low)) / (Double(high) - Double(low))
        return Swift.min(1, Swift.max(0, position))
    }

    func color(of value: Float) -> RGB {
        guard let position = position(of: value) else { return ColorMap.nanColor }
        return colorMap.color(at: position)
    }
}

/// The SGR escape sequences the heatmaps use.
enum Escape {
    static let reset = "\u{1B}[0m"

    static func colors(foreground: RGB, background: RGB?, mode: ColorMode) -> String {
        var parameters = [code(foreground, base: 38, mode: mode)]
        if let background { parameters.append(code(background, base: 48, mode: mode)) }
        return "\u{1B}[" + parameters.joined(separator: ";") + "m"
    }

    private static func code(_ color: RGB, base: Int, mode: ColorMode) -> String {
        switch mode {
        case .trueColor: return "\(base);2;\(color.red);\(color.green);\(color.blue)"
        case .palette256, .plain: return "\(base);5;\(Palette256.index(of: color))"
        }
    }
}
