import GirdTensor
import XCTest
@testable import GirdView

final class ValueGridTests: XCTestCase {
    func testChannelOfAFeatureMapTakesSampleZero() throws {
        // [N=2, C=2, H=1, W=2]: sample 0 is 0...3, sample 1 is 4...7.
        let t = try Tensor(shape: [2, 2, 1, 2], values: (0 ..< 8).map(Float.init))
        let grid = try ValueGrid(t, channel: 1)
        XCTAssertEqual(grid, ValueGrid(rows: 1, columns: 2, values: [2, 3]))
        XCTAssertThrowsError(try ValueGrid(t, channel: 2)) {
            XCTAssertEqual("\($0)", "channel 2 is out of range for a map with 2 channels")
        }
    }

    func testRank5IsRefused() {
        XCTAssertThrowsError(try ValueGrid(Tensor.zeros([1, 1, 1, 1, 1]))) {
            XCTAssertEqual("\($0)", "cannot draw a tensor of shape [1, 1, 1, 1, 1]: expected a matrix, a [C, H, W] map or an [N, C, H, W] batch")
        }
    }

    func testBlockAveraging() {
        let grid = ValueGrid(rows: 2, columns: 4, values: [1, 2, 3, 4,
                                                           5, 6, 7, 8])
        // 2x2 blocks: (1+2+5+6)/4, (3+4+7+8)/4.
        XCTAssertEqual(grid.downsampled(maxRows: 1, maxColumns: 2).values, [3.5, 5.5])
        // 3 columns into 2 bins: [0, 2) and [1, 3) (adaptive pooling's bins).
        let row = ValueGrid(rows: 1, columns: 3, values: [1, 2, 3])
        XCTAssertEqual(row.downsampled(maxRows: 1, maxColumns: 2).values, [1.5, 2.5])
        XCTAssertEqual(grid.downsampled(maxRows: 10, maxColumns: 10), grid)
    }

    func testABlockWithNaNStaysNaN() {
        let grid = ValueGrid(rows: 1, columns: 4, values: [1, .nan, 3, 5])
        let small = grid.downsampled(maxRows: 1, maxColumns: 2)
        XCTAssertTrue(small.values[0].isNaN)
        XCTAssertEqual(small.values[1], 4)
    }
}
