import XCTest
@testable import GirdTensor

final class ReductionTests: XCTestCase {
    func testSumOverAxes() throws {
        let x = try Tensor(shape: [2, 3, 2], values: (1...12).map(Float.init))
        XCTAssertEqual(try x.sum().item(), 78)
        XCTAssertEqual(try x.sum(axes: [0]).toArray(), [8, 10, 12, 14, 16, 18])
        XCTAssertEqual(try x.sum(axes: [1]).toArray(), [9, 12, 27, 30])
        XCTAssertEqual(try x.sum(axes: [-1]).toArray(), [3, 7, 11, 15, 19, 23])
        XCTAssertEqual(try x.sum(axes: [0, 2]).toArray(), [18, 26, 34])
        XCTAssertEqual(try x.sum(axes: [1], keepingDimensions: true).shape, [2, 1, 2])
        XCTAssertEqual(try x.mean(axes: [1, 2]).toArray(), [3.5, 9.5])
    }

    func testLongSumIsAccurate() throws {
        // 100,003 ones: exercises the SIMD body and the scalar tail.
        XCTAssertEqual(try Tensor.ones([100_003]).sum().item(), 100_003)
    }

    func testEmptyReductions() throws {
        XCTAssertEqual(try Tensor.zeros([0, 4]).sum(axes: [0]).toArray(), [0, 0, 0, 0])
        XCTAssertEqual(try Tensor.zeros([0, 4]).sum().item(), 0)
    }

    func testBadAxis() {
        XCTAssertThrowsError(try Tensor.zeros([2, 2]).sum(axes: [2])) { error in
            XCTAssertEqual("\(error)", "sum: dimension 2 is out of range for a tensor of rank 2")
        }
    }

    func testReductionGradients() throws {
        let x = uniformTensor([2, 3, 4], seed: 11)
        try assertGradientsMatch([x]) { try $0[0].sum(axes: [1]) }
        try assertGradientsMatch([x]) { try $0[0].sum(axes: [0, 2], keepingDimensions: true) }
        try assertGradientsMatch([x]) { try $0[0].mean(axes: [-1]) }
        try assertGradientsMatch([x]) { try $0[0].mean() }
        try assertGradientsMatch([uniformTensor([3, 1], seed: 12)]) { try $0[0].expanded(to: [2, 3, 4]) }
        try assertGradientsMatch([x]) { try $0[0].reshaped([6, -1]) }
    }
}
