import CPNG
import Foundation
import XCTest
@testable import GirdView

final class LinePlotTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gird-plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func pixel(_ image: (width: Int, height: Int, pixels: [UInt8]), _ x: Double, _ y: Double) -> [UInt8] {
        let offset = (Int(y) * image.width + Int(x)) * 3
        return Array(image.pixels[offset..<offset + 3])
    }

    func bankPlot() -> LinePlot {
        var chart = LinePlot(xTicks: ["0", "1024", "4096", "16384"],
                             series: [.init(name: "GIRD", values: [80, 81, 83, 82], errors: [0.5, 0.5, 0.5, 0.5])])
        chart.references = [.init(name: "KD", value: 79, band: 0.4)]
        chart.title = "top-1 against K"
        chart.xLabel = "K"
        chart.yLabel = "top-1 (%)"
        return chart
    }

    func testLayoutHoldsEveryValueOnRoundTicks() {
        let layout = bankPlot().layout()
        // Values and bars span 78.6...83.5; with 8% room and a tick of 1, 78...84.
        XCTAssertEqual(layout.yMin, 78)
        XCTAssertEqual(layout.yMax, 84)
        XCTAssertEqual(layout.y(78), layout.bottom)
        XCTAssertEqual(layout.y(84), layout.top)
        // Four categorical positions, evenly spaced, half a step from the edges.
        let step = (layout.right - layout.left) / 4
        XCTAssertEqual(layout.x(0), layout.left + step / 2, accuracy: 1e-9)
        XCTAssertEqual(layout.x(3) - layout.x(2), step, accuracy: 1e-9)
    }

    func testTickSteps() {
        XCTAssertEqual(LinePlot.tickStep(span: 6.0), 2)
        XCTAssertEqual(LinePlot.tickStep(span: 4.9), 1)
        XCTAssertEqual(LinePlot.tickStep(span: 0.3), 0.1, accuracy: 1e-12)
        XCTAssertEqual(LinePlot.tickStep(span: 40), 10)
    }

    func testPointsAndLinesAreDrawnWhereTheLayoutSays() throws {
        let chart = bankPlot()
        let path = folder.appendingPathComponent("bank.png").path
        try chart.write(to: path)
        let image = try readRGB(path)
        XCTAssertEqual(image.width, 720)
        XCTAssertEqual(image.height, 450)
        let layout = chart.layout()
        // Marker centres in the first series colour (tab10 blue).
        for (index, value) in [80.0, 81, 83, 82].enumerated() {
            XCTAssertEqual(pixel(image, layout.x(index), layout.y(value)), [31, 119, 180], "point \(index)")
        }
        // The page is white outside the plot area, away from any text.
        XCTAssertEqual(pixel(image, 2, 2), [255, 255, 255])
        // The reference line (the second colour, dashed) crosses at y(79): orange on some pixels of that row.
        let row = Int(layout.y(79))
        let orange = stride(from: Int(layout.left) + 2, to: Int(layout.right) - 2, by: 1).filter { x in
            let p = pixel(image, Double(x), Double(row))
            return p[0] > 200 && p[1] < 190 && p[2] < 120
        }
        XCTAssertGreaterThan(orange.count, 50)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["bank.png"])
    }

    /// The legend goes to the corner that hides the least of the data: top
    /// left for a rising series, elsewhere when the data fill that corner.
    func testLegendTakesTheCornerWithTheLeastData() throws {
        let rising = bankPlot()
        XCTAssertEqual(rising.legendCorner(width: 120, height: 38, rising.layout()), .topLeft)
        // A box of 150 of the plot's 338 pixels reaches the first point (90)
        // from the top left; the top right is free (the last point is 75).
        var chart = LinePlot(xTicks: ["1", "2", "3", "4"], series: [.init(name: "loss", values: [90, 85, 80, 75])])
        XCTAssertEqual(chart.legendCorner(width: 120, height: 150, chart.layout()), .topRight)
        // High at both ends: a bottom corner.
        chart.series = [.init(name: "u", values: [90, 70, 70, 90])]
        XCTAssertEqual(chart.legendCorner(width: 120, height: 150, chart.layout()), .bottomLeft)
        // A reference line along the bottom, and the left end lower: the top left.
        chart.series = [.init(name: "u", values: [86, 70, 70, 90])]
        chart.references = [.init(name: "floor", value: 70.5)]
        XCTAssertEqual(chart.legendCorner(width: 120, height: 150, chart.layout()), .topLeft)

        // Drawn there: five falling series, whose legend (five lines) would
        // cover their first points at the top left, go to the top right.
        let path = folder.appendingPathComponent("falling.png").path
        let falling = LinePlot(xTicks: ["1", "2", "3", "4"], series: (0..<5).map { k in
            .init(name: "run \(k)", values: [90 - Double(k) * 0.2, 85, 80, 75])
        })
        try falling.write(to: path)
        let image = try readRGB(path)
        let layout = falling.layout()
        let firstLine = layout.top + LinePlot.legendInset + 10
        let blue = (Int(layout.left)...Int(layout.right)).filter { x in pixel(image, Double(x), firstLine) == [31, 119, 180] }
        XCTAssertFalse(blue.isEmpty)
        XCTAssertTrue(blue.allSatisfy { Double($0) > (layout.left + layout.right) / 2 }, "the first entry's stroke is on the right: \(blue)")
    }

    func testMismatchedSeriesIsAnErrorNamingIt() {
        var chart = bankPlot()
        chart.series.append(.init(name: "short", values: [1, 2]))
        let path = folder.appendingPathComponent("bad.png").path
        XCTAssertThrowsError(try chart.write(to: path)) { error in
            XCTAssertEqual("\(error)", "cannot write \(path): series \"short\" has 2 values for 4 x positions")
        }
        chart.series = [.init(name: "bars", values: [1, 2, 3, 4], errors: [1])]
        XCTAssertThrowsError(try chart.write(to: path)) { error in
            XCTAssertEqual("\(error)", "cannot write \(path): series \"bars\" has 1 error bars for 4 values")
        }
        chart.series = [.init(name: "nan", values: [1, .nan, 3, 4])]
        XCTAssertThrowsError(try chart.write(to: path)) { error in
            XCTAssertEqual("\(error)", "cannot write \(path): series \"nan\" has a value that is not finite")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testUnwritableFolderIsAnError() {
        let path = folder.appendingPathComponent("missing/bank.png").path
        XCTAssertThrowsError(try bankPlot().write(to: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write \(path): "), "\(error)")
        }
    }
}
