import GirdTensor
import XCTest
@testable import GirdView

final class TensorSummaryTests: XCTestCase {
    func testMatrix() throws {
        let t = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        XCTAssertEqual(TensorSummary.line(t), "Tensor [2, 2] float32  min 1  mean 2.5  max 4  NaN 0")
    }

    func testThreeSignificantDigits() throws {
        // mean of -0.213 and 0.0412·… : chosen so that every field needs rounding.
        let t = try Tensor(shape: [3], values: [-0.21349, 0.04123, 1234.5])
        // mean = (−0.21349 + 0.04123 + 1234.5) / 3 = 411.4425
        XCTAssertEqual(TensorSummary.line(t), "Tensor [3] float32  min -0.213  mean 411  max 1.23e+03  NaN 0")
    }

    func testNaNIsCountedAndSkipped() throws {
        let t = try Tensor(shape: [3], values: [1, .nan, 3])
        XCTAssertEqual(TensorSummary.line(t), "Tensor [3] float32  min 1  mean 2  max 3  NaN 1")
    }

    func testAllNaN() throws {
        let t = try Tensor(shape: [1, 2], values: [.nan, .nan])
        XCTAssertEqual(TensorSummary.line(t), "Tensor [1, 2] float32  min nan  mean nan  max nan  NaN 2")
    }

    func testInfinities() throws {
        let t = try Tensor(shape: [2], values: [1, .infinity])
        XCTAssertEqual(TensorSummary.line(t), "Tensor [2] float32  min 1  mean inf  max inf  NaN 0")
    }

    func testZeroSize() {
        XCTAssertEqual(TensorSummary.line(Tensor.zeros([0, 16])), "Tensor [0, 16] float32  empty")
    }

    func testScalar() {
        XCTAssertEqual(TensorSummary.line(Tensor(-0.5)), "Tensor [] float32  min -0.5  mean -0.5  max -0.5  NaN 0")
    }

    func testInt64() throws {
        let t = try Tensor(shape: [4], indices: [3, 0, 1, 2])
        XCTAssertEqual(TensorSummary.line(t), "Tensor [4] int64  min 0  mean 1.5  max 3")
    }

    func testBlockedLayoutIsReadInLogicalOrder() throws {
        // A 1x1 convolution with identity weights returns x itself, in
        // oneDNN's blocked layout (16 channels fill one block).
        let x = try Tensor(shape: [1, 16, 2, 2], values: (0 ..< 64).map(Float.init))
        var identity = [Float](repeating: 0, count: 16 * 16)
        for c in 0 ..< 16 { identity[c * 16 + c] = 1 }
        let w = try Tensor(shape: [16, 16, 1, 1], values: identity)
        let y = try Tensor.conv2d(x, weight: w)
        XCTAssertEqual(TensorSummary.line(y), "Tensor [1, 16, 2, 2] float32  min 0  mean 31.5  max 63  NaN 0")
        // Channel 1 of sample 0 is 4...7 in NCHW order, whatever the layout.
        XCTAssertEqual(try ValueGrid(y, channel: 1).values, [4, 5, 6, 7])
    }
}
