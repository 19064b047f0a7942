import CCairo
import Foundation

/// A line chart as a PNG, drawn with cairo: for a study's figures, e.g. test
/// top-1 against GIRD's bank size. The x axis is categorical (the points
/// sit evenly spaced, labelled by `xTicks`), so that 0, 1024, 4096 and 16384
/// read as four settings rather than a log scale with a hole at 0. Each
/// series may carry error bars (± `errors`); reference lines are horizontal
/// (a baseline's mean), dashed, with an optional band (± its spread).
public struct LinePlot {
    public struct Series: Equatable {
        public var name: String
        public var values: [Double]
        public var errors: [Double]?

        public init(name: String, values: [Double], errors: [Double]? = nil) {
            self.name = name
            self.values = values
            self.errors = errors
        }
    }

    public struct ReferenceLine: Equatable {
        public var name: String
        public var value: Double
        public var band: Double?

        public init(name: String, value: Double, band: Double? = nil) {
            self.name = name
            self.value = value
            self.band = band
        }
    }

    public var xTicks: [String]
    public var series: [Series]
    public var references: [ReferenceLine] = []
    public var title = ""
    public var xLabel = ""
    public var yLabel = ""
    public var width = 720
    public var height = 450

    public init(xTicks: [String], series: [Series]) {
        self.xTicks = xTicks
        self.series = series
    }

    /// Series colours, then reference lines' (matplotlib's tab10 order).
    static let palette: [RGB] = [RGB(31, 119, 180), RGB(255, 127, 14), RGB(44, 160, 44), RGB(214, 39, 40),
                                 RGB(148, 103, 189), RGB(140, 86, 75), RGB(227, 119, 194), RGB(127, 127, 127)]

    /// Where the data go: the plot area in pixels and the y range it shows.
    struct Layout: Equatable {
        var left: Double, top: Double, right: Double, bottom: Double
        var yMin: Double, yMax: Double
        var count: Int

        func x(_ index: Int) -> Double {
            let step = (right - left) / Double(count)
            return left + step * (Double(index) + 0.5)
        }

        func y(_ value: Double) -> Double {
            bottom - (value - yMin) / (yMax - yMin) * (bottom - top)
        }
    }

    /// Checks the shapes, so that a recipe's mistake is an error, not a
    /// strange picture.
    public func validate(path: String) throws {
        func fail(_ reason: String) -> ViewError { .cannotWrite(path: path, reason: reason) }
        guard !xTicks.isEmpty else { throw fail("the plot has no x positions") }
        guard !series.isEmpty || !references.isEmpty else { throw fail("the plot has no series and no lines") }
        guard width >= 200, width <= 4000, height >= 150, height <= 4000 else {
            throw fail("size must be 200...4000 x 150...4000 pixels, got \(width) x \(height)")
        }
        for one in series {
            guard one.values.count == xTicks.count else {
                throw fail("series \"\(one.name)\" has \(one.values.count) values for \(xTicks.count) x positions")
            }
            if let errors = one.errors, errors.count != one.values.count {
                throw fail("series \"\(one.name)\" has \(errors.count) error bars for \(one.values.count) values")
            }
            guard (one.values + (one.errors ?? [])).allSatisfy(\.isFinite) else {
                throw fail("series \"\(one.name)\" has a value that is not finite")
            }
        }
        guard references.allSatisfy({ $0.value.isFinite && ($0.band ?? 0).isFinite }) else {
            throw fail("a reference line has a value that is not finite")
        }
    }

    /// The plot area inside the margins, and a y range holding every value,
    /// error bar and band with a little room, on round numbers.
    func layout() -> Layout {
        var low = Double.infinity, high = -Double.infinity
        for one in series {
            for (index, value) in one.values.enumerated() {
                let error = one.errors?[index] ?? 0
                low = min(low, value - error)
                high = max(high, value + error)
            }
        }
        for line in references {
            low = min(low, line.value - (line.band ?? 0))
            high = max(high, line.value + (line.band ?? 0))
        }
        if high - low < 1e-9 { (low, high) = (low - 1, high + 1) }
        let room = (high - low) * 0.08
        let step = Self.tickStep(span: high - low + 2 * room)
        let yMin = ((low - room) / step).rounded(.down) * step
        let yMax = ((high + room) / step).rounded(.up) * step
        return Layout(left: 72, top: title.isEmpty ? 24 : 48, right: Double(width) - 24,
                      bottom: Double(height) - (xLabel.isEmpty ? 44 : 64), yMin: yMin, yMax: yMax, count: xTicks.count)
    }

    /// 1, 2 or 5 times a power of ten, giving about five ticks over `span`.
    static func tickStep(span: Double) -> Double {
        let raw = span / 5
        let power = pow(10, (log10(raw)).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where raw <= multiple * power { return multiple * power }
        return 10 * power
    }

    /// Draws and writes the PNG: to a temporary file beside `path`, renamed
    /// over it when complete.
    public func write(to path: String) throws {
        try validate(path: path)
        let layout = layout()
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else {
            throw ViewError.cannotWrite(path: path, reason: "cairo cannot make a \(width) x \(height) image")
        }
        defer { cairo_surface_destroy(surface) }
        guard let cr = cairo_create(surface) else { throw ViewError.cannotWrite(path: path, reason: "cairo failed") }
        defer { cairo_destroy(cr) }
        draw(on: cr, layout: layout)
        cairo_surface_flush(surface)

        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let status = cairo_surface_write_to_png(surface, temporary)
        guard status == CAIRO_STATUS_SUCCESS else {
            unlink(temporary)
            throw ViewError.cannotWrite(path: path, reason: String(cString: cairo_status_to_string(status)))
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ViewError.cannotWrite(path: path, reason: reason)
        }
    }

    private func draw(on cr: OpaquePointer, layout: Layout) {
        setColor(cr, RGB(255, 255, 255))
        cairo_paint(cr)
        cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        drawGridAndAxes(cr, layout)
        for (index, line) in references.enumerated() {
            drawReference(cr, line, color: Self.palette[(series.count + index) % Self.palette.count], layout)
        }
        for (index, one) in series.enumerated() {
            drawSeries(cr, one, color: Self.palette[index % Self.palette.count], layout)
        }
        drawLegend(cr, layout)
    }

    private func drawGridAndAxes(_ cr: OpaquePointer, _ layout: Layout) {
        let step = Self.tickStep(span: layout.yMax - layout.yMin)
        let decimals = max(0, Int(-log10(step).rounded(.down)))
        cairo_set_font_size(cr, 12)
        var tick = layout.yMin
        while tick <= layout.yMax + step * 1e-6 {
            let y = layout.y(tick)
            setColor(cr, RGB(225, 225, 225))
            cairo_set_line_width(cr, 1)
            line(cr, layout.left, y, layout.right, y)
            setColor(cr, RGB(60, 60, 60))
            text(cr, String(format: "%.\(decimals)f", tick), x: layout.left - 8, y: y, alignX: 1, alignY: 0.5)
            tick += step
        }
        for (index, label) in xTicks.enumerated() {
            text(cr, label, x: layout.x(index), y: layout.bottom + 8, alignX: 0.5, alignY: 0)
        }
        setColor(cr, RGB(60, 60, 60))
        cairo_set_line_width(cr, 1.2)
        cairo_rectangle(cr, layout.left, layout.top, layout.right - layout.left, layout.bottom - layout.top)
        cairo_stroke(cr)
        cairo_set_font_size(cr, 13)
        if !xLabel.isEmpty {
            text(cr, xLabel, x: (layout.left + layout.right) / 2, y: Double(height) - 12, alignX: 0.5, alignY: 1)
        }
        if !yLabel.isEmpty {
            cairo_save(cr)
            cairo_translate(cr, 18, (layout.top + layout.bottom) / 2)
            cairo_rotate(cr, -Double.pi / 2)
            text(cr, yLabel, x: 0, y: 0, alignX: 0.5, alignY: 0.5)
            cairo_restore(cr)
        }
        if !title.isEmpty {
            cairo_set_font_size(cr, 15)
            text(cr, title, x: Double(width) / 2, y: 16, alignX: 0.5, alignY: 0.5)
        }
    }

    private func drawReference(_ cr: OpaquePointer, _ reference: ReferenceLine, color: RGB, _ layout: Layout) {
        if let band = reference.band, band > 0 {
            cairo_set_source_rgba(cr, Double(color.red) / 255, Double(color.green) / 255, Double(color.blue) / 255, 0.15)
            let top = layout.y(reference.value + band), bottom = layout.y(reference.value - band)
            cairo_rectangle(cr, layout.left, top, layout.right - layout.left, bottom - top)
            cairo_fill(cr)
        }
        setColor(cr, color)
        cairo_set_line_width(cr, 1.5)
        var dashes: [Double] = [6, 4]
        cairo_set_dash(cr, &dashes, 2, 0)
        let y = layout.y(reference.value)
        line(cr, layout.left, y, layout.right, y)
        cairo_set_dash(cr, nil, 0, 0)
    }

    private func drawSeries(_ cr: OpaquePointer, _ one: Series, color: RGB, _ layout: Layout) {
        setColor(cr, color)
        cairo_set_line_width(cr, 2)
        for (index, value) in one.values.enumerated() {
            let (x, y) = (layout.x(index), layout.y(value))
            index == 0 ? cairo_move_to(cr, x, y) : cairo_line_to(cr, x, y)
        }
        cairo_stroke(cr)
        cairo_set_line_width(cr, 1.5)
        for (index, value) in one.values.enumerated() {
            let x = layout.x(index)
            if let error = one.errors?[index], error > 0 {
                let (high, low) = (layout.y(value + error), layout.y(value - error))
                line(cr, x, high, x, low)
                line(cr, x - 5, high, x + 5, high)
                line(cr, x - 5, low, x + 5, low)
            }
            cairo_arc(cr, x, layout.y(value), 4, 0, 2 * Double.pi)
            cairo_fill(cr)
        }
    }

    func setColor(_ cr: OpaquePointer, _ color: RGB) {
        cairo_set_source_rgb(cr, Double(color.red) / 255, Double(color.green) / 255, Double(color.blue) / 255)
    }

    func line(_ cr: OpaquePointer, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) {
        cairo_move_to(cr, x0, y0)
        cairo_line_to(cr, x1, y1)
        cairo_stroke(cr)
    }

    /// `alignX`/`alignY`: 0 puts the text's left/top at (x, y), 1 its right/bottom.
    func text(_ cr: OpaquePointer, _ string: String, x: Double, y: Double, alignX: Double, alignY: Double) {
        var extents = cairo_text_extents_t()
        cairo_text_extents(cr, string, &extents)
        cairo_move_to(cr, x - extents.width * alignX - extents.x_bearing, y - extents.height * alignY - extents.y_bearing)
        cairo_show_text(cr, string)
    }
}
