import CCairo

/// The legend: each series' and reference line's name beside a stroke of its
/// colour, in the corner of the plot area where it hides the least of the
/// data (matplotlib's `loc="best"`), on a translucent white box.
extension LinePlot {
    enum LegendCorner: CaseIterable {
        case topLeft, topRight, bottomLeft, bottomRight
    }

    struct Box: Equatable {
        var x: Double, y: Double, width: Double, height: Double

        func contains(_ px: Double, _ py: Double) -> Bool {
            px >= x && px <= x + width && py >= y && py <= y + height
        }
    }

    /// Space between the box and the plot area's edges; a line of the legend.
    static let legendInset = 4.0, legendLineHeight = 18.0

    func legendBox(_ corner: LegendCorner, width: Double, height: Double, _ layout: Layout) -> Box {
        let left = layout.left + Self.legendInset, right = layout.right - Self.legendInset - width
        let top = layout.top + Self.legendInset, bottom = layout.bottom - Self.legendInset - height
        switch corner {
        case .topLeft: return Box(x: left, y: top, width: width, height: height)
        case .topRight: return Box(x: right, y: top, width: width, height: height)
        case .bottomLeft: return Box(x: left, y: bottom, width: width, height: height)
        case .bottomRight: return Box(x: right, y: bottom, width: width, height: height)
        }
    }

    /// The corner whose box covers the fewest points of the drawing: markers,
    /// error-bar ends, points along each segment and along each reference
    /// line. Ties go to the earlier corner (top left first).
    func legendCorner(width: Double, height: Double, _ layout: Layout) -> LegendCorner {
        var points: [(Double, Double)] = []
        for one in series {
            for (index, value) in one.values.enumerated() {
                let (x, y) = (layout.x(index), layout.y(value))
                if let error = one.errors?[index] {
                    points += [(x, layout.y(value + error)), (x, layout.y(value - error))]
                }
                guard index + 1 < one.values.count else { points.append((x, y)); continue }
                let (nextX, nextY) = (layout.x(index + 1), layout.y(one.values[index + 1]))
                for step in 0..<8 {
                    let t = Double(step) / 8
                    points.append((x + (nextX - x) * t, y + (nextY - y) * t))
                }
            }
        }
        for reference in references {
            for step in 0...32 {
                points.append((layout.left + (layout.right - layout.left) * Double(step) / 32, layout.y(reference.value)))
            }
        }
        func covered(_ corner: LegendCorner) -> Int {
            let box = legendBox(corner, width: width, height: height, layout)
            return points.filter { box.contains($0.0, $0.1) }.count
        }
        return LegendCorner.allCases.min { covered($0) < covered($1) } ?? .topLeft
    }

    func drawLegend(_ cr: OpaquePointer, _ layout: Layout) {
        let entries = (series.enumerated().map { ($0.element.name, Self.palette[$0.offset % Self.palette.count], false) }
            + references.enumerated().map { ($0.element.name, Self.palette[(series.count + $0.offset) % Self.palette.count], true) })
            .filter { !$0.0.isEmpty }
        guard !entries.isEmpty else { return }
        cairo_set_font_size(cr, 12)
        let widest = entries.map { entry -> Double in
            var extents = cairo_text_extents_t()
            cairo_text_extents(cr, entry.0, &extents)
            return extents.x_advance
        }.max() ?? 0
        let width = 42 + widest, height = Self.legendLineHeight * Double(entries.count) + 2
        let box = legendBox(legendCorner(width: width, height: height, layout), width: width, height: height, layout)
        cairo_set_source_rgba(cr, 1, 1, 1, 0.8)
        cairo_rectangle(cr, box.x, box.y, box.width, box.height)
        cairo_fill(cr)
        var y = box.y + 10
        for (name, color, dashed) in entries {
            setColor(cr, color)
            cairo_set_line_width(cr, 2)
            if dashed {
                var dashes: [Double] = [6, 4]
                cairo_set_dash(cr, &dashes, 2, 0)
            }
            line(cr, box.x + 6, y, box.x + 30, y)
            cairo_set_dash(cr, nil, 0, 0)
            setColor(cr, RGB(30, 30, 30))
            text(cr, name, x: box.x + 36, y: y, alignX: 0, alignY: 0.5)
            y += Self.legendLineHeight
        }
    }
}
