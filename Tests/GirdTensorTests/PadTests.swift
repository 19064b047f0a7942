import XCTest
@testable import GirdTensor

final class PadTests: XCTestCase {
    func testPadsLastDimensionsFirst() throws {
        // [left 1, right 0, top 0, bottom 1] on a 2 x 2 image.
        let x = try Tensor(shape: [1, 2, 2], values: [1, 2, 3, 4])
        let y = try x.padded([1, 0, 0, 1])
        XCTAssertEqual(y.shape, [1, 3, 3])
        XCTAssertEqual(y.toArray(), [0, 1, 2,
                                     0, 3, 4,
                                     0, 0, 0])
        XCTAssertEqual(try x.padded([0, 1], value: -1).toArray(), [1, 2, -1, 3, 4, -1])
        XCTAssertTrue(try x.padded([0, 0]) === x)
        XCTAssertEqual(try Tensor.zeros([2, 0]).padded([1, 1]).toArray(), [0, 0, 0, 0])
    }

    func testFourPixelCropPadding() throws {
        // The CIFAR augmentation: 4 pixels on every side of 32 x 32.
        let y = try Tensor.ones([2, 3, 32, 32]).padded([4, 4, 4, 4])
        XCTAssertEqual(y.shape, [2, 3, 40, 40])
        XCTAssertEqual(try y.sum().item(), 2 * 3 * 32 * 32)
    }

    func testErrors() {
        XCTAssertThrowsError(try Tensor.zeros([2, 2]).padded([1, -1])) { error in
            XCTAssertEqual("\(error)", "pad: padding [1, -1] must be non-negative (before, after) pairs for at most the 2 dimensions of [2, 2]")
        }
        XCTAssertThrowsError(try Tensor.zeros([2]).padded([1, 1, 1, 1]))
        XCTAssertThrowsError(try Tensor.zeros([2]).padded([1]))
    }

    func testGradients() throws {
        try assertGradientsMatch([uniformTensor([2, 2, 3], seed: 1)]) { try $0[0].padded([2, 1, 0, 3]) }
        try assertGradientsMatch([uniformTensor([2, 3], seed: 2)]) { try $0[0].padded([1, 1, 2, 0], value: 5) }
    }
}
