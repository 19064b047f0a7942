import XCTest
@testable import GirdTensor

final class UpsampleNearestTests: XCTestCase {
    /// 2x2 -> 4x4 repeats each pixel in a 2x2 block (PyTorch's output).
    func testDoublingRepeatsPixels() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        XCTAssertEqual(try x.upsampledNearest(height: 4, width: 4).toArray(),
                       [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    /// PyTorch's rows for non-integer ratios: 2 -> 3 reads 0, 0, 1
    /// (floor(i * 2/3)); 3 -> 2 reads 0, 1 (floor(i * 1.5)); 1 -> 3 reads 0, 0, 0.
    func testNonIntegerRatiosPickPyTorchsRows() throws {
        let x = try Tensor(shape: [1, 1, 3, 2], values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try x.upsampledNearest(height: 2, width: 3).toArray(), [1, 1, 2, 3, 3, 4])
        let point = try Tensor(shape: [1, 2, 1, 1], values: [7, 8])
        XCTAssertEqual(try point.upsampledNearest(height: 1, width: 3).toArray(), [7, 7, 7, 8, 8, 8])
    }

    func testGradientMatchesFiniteDifferences() throws {
        var generator = SplitMix64(seed: 3)
        let values = (0..<(2 * 3 * 3 * 2)).map { _ in Float(generator.nextUnit() * 2 - 1) }
        let x = try Tensor(shape: [2, 3, 3, 2], values: values)
        try assertGradientsMatch([x]) { try $0[0].upsampledNearest(height: 5, width: 4) }
        try assertGradientsMatch([x]) { try $0[0].upsampledNearest(height: 2, width: 1) }
    }

    /// Each input pixel's gradient is the sum over its copies.
    func testBackwardSumsTheCopies() throws {
        let x = try Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4]).requiringGrad()
        let weights = try Tensor(shape: [1, 1, 4, 4], values: (0..<16).map(Float.init))
        try (try x.upsampledNearest(height: 4, width: 4) * weights).sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [10, 18, 42, 50])
    }

    func testBadInputIsRefused() {
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).upsampledNearest(height: 4, width: 4)) {
            XCTAssertEqual("\($0)", "upsampleNearest: expected a 4-D [N, C, H, W] input, got [2, 3]")
        }
        XCTAssertThrowsError(try Tensor.zeros([1, 1, 2, 2]).upsampledNearest(height: 0, width: 4)) {
            XCTAssertEqual("\($0)", "upsampleNearest: output size must be positive, got (0, 4)")
        }
    }
}
