import XCTest
@testable import GirdView

/// Expected colours are viridis at 0, ½ and 1 of the map as the polynomial
/// gives them, rounded to bytes: (71, 1, 85), (31, 145, 139), (252, 231, 33)
/// (matplotlib's table: (68, 1, 84), (33, 145, 140), (253, 231, 37)).
final class HeatmapTests: XCTestCase {
    let esc = "\u{1B}["

    func options(_ mode: ColorMode, legendWidth: Int = 2) -> Heatmap.Options {
        Heatmap.Options(mode: mode, maxColumns: 64, maxLines: 16, legendWidth: legendWidth)
    }

    func testViridisEndsAndMiddle() {
        XCTAssertEqual(ColorMap.viridis.color(at: 0), RGB(71, 1, 85))
        XCTAssertEqual(ColorMap.viridis.color(at: 0.5), RGB(31, 145, 139))
        XCTAssertEqual(ColorMap.viridis.color(at: 1), RGB(252, 231, 33))
        XCTAssertEqual(ColorMap.viridisTable.count, 256)
    }

    func testASCII2x2() {
        // Range 0...3: positions 0, ⅓, ⅔, 1 → ramp entries 0, 3, 6, 9.
        let grid = ValueGrid(rows: 2, columns: 2, values: [0, 1, 2, 3])
        let view = Heatmap.render(grid, options: options(.plain, legendWidth: 4))
        XCTAssertEqual(view.lines, [" -", "*@", "0 [ -*@] 3"])
        XCTAssertEqual(view.width, 10)
    }

    func testTrueColor3x1UsesHalfBlocks() {
        // Rows 0 and 1 share the first text line (upper = foreground,
        // lower = background); row 2 is alone on the second, background untouched.
        let grid = ValueGrid(rows: 3, columns: 1, values: [0, 1, 2])
        let view = Heatmap.render(grid, options: options(.trueColor))
        XCTAssertEqual(view.lines, [
            "\(esc)38;2;71;1;85;48;2;31;145;139m▀\(esc)0m",
            "\(esc)38;2;252;231;33m▀\(esc)0m",
            "0 \(esc)38;2;71;1;85m█\(esc)38;2;252;231;33m█\(esc)0m 2",
        ])
        XCTAssertEqual(view.width, 6)  // the legend: "0 ██ 2"
    }

    func testConstantMatrixTakesTheMiddleOfThe256ColourMap() {
        // viridis(½) = (31, 145, 139) → cube entry (0, 135, 135) = 16 + 0·36 + 2·6 + 2 = 30;
        // a run of one colour needs its code once.
        let grid = ValueGrid(rows: 2, columns: 2, values: [5, 5, 5, 5])
        let view = Heatmap.render(grid, options: options(.palette256))
        XCTAssertEqual(view.lines, [
            "\(esc)38;5;30;48;5;30m▀▀\(esc)0m",
            // viridis(0) = (71, 1, 85) → (95, 0, 95) = 53; viridis(1) = (252, 231, 33) → (255, 215, 0) = 220.
            "5 \(esc)38;5;53m█\(esc)38;5;220m█\(esc)0m 5",
        ])
    }

    func testNaNCells() {
        let grid = ValueGrid(rows: 2, columns: 2, values: [.nan, 1, 0, .nan])
        XCTAssertEqual(Heatmap.render(grid, options: options(.plain)).lines, ["?@", " ?", "0 [ @] 1  ? NaN"])
        let colour = Heatmap.render(grid, options: options(.trueColor)).lines
        XCTAssertEqual(colour[0], "\(esc)38;2;255;0;255;48;2;71;1;85m▀\(esc)38;2;252;231;33;48;2;255;0;255m▀\(esc)0m")
        XCTAssertTrue(colour[1].hasSuffix(" 1  \(esc)38;2;255;0;255m█\(esc)0m NaN"))
    }

    func testInfinitiesTakeTheEndsOfTheFiniteScale() {
        let grid = ValueGrid(rows: 1, columns: 4, values: [-.infinity, 0, 1, .infinity])
        XCTAssertEqual(Heatmap.render(grid, options: options(.plain)).lines, ["  @@", "0 [ @] 1"])
    }

    func testLargeMatrixIsShrunkToFit() {
        let grid = ValueGrid(rows: 100, columns: 300, values: (0 ..< 30_000).map { Float($0 % 300) })
        var small = options(.trueColor)
        small.maxColumns = 30
        small.maxLines = 5
        let view = Heatmap.render(grid, options: small)
        XCTAssertEqual(view.lines.count, 6)  // 10 cell rows in 5 lines, and the legend
        XCTAssertEqual(VisibleText.width(view.lines[0]), 30)
    }

    func testDivergingIsSymmetricAroundZero() {
        var diverging = options(.plain)
        diverging.colorMap = .diverging
        let view = Heatmap.render(ValueGrid(rows: 1, columns: 2, values: [0, 2]), options: diverging)
        // Range −2...2: 0 sits in the middle (ramp entry 5), 2 at the top.
        XCTAssertEqual(view.lines, ["+@", "-2 [ @] 2"])
        XCTAssertEqual(ColorMap.diverging.color(at: 0.5), RGB(247, 247, 247))
    }
}
