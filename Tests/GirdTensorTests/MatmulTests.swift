import XCTest
@testable import GirdTensor

final class MatmulTests: XCTestCase {
    func testSmallProductByHand() throws {
        let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 2], values: [7, 8, 9, 10, 11, 12])
        // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]
        XCTAssertEqual(try Tensor.matmul(a, b).toArray(), [58, 64, 139, 154])
    }

    func testBatchedBroadcast() throws {
        // Batch axes [2, 1] and [3] broadcast to [2, 3].
        let a = try Tensor(shape: [2, 1, 1, 2], values: [1, 0, 0, 1])
        let b = try Tensor(shape: [3, 2, 1], values: [1, 2, 3, 4, 5, 6])
        let c = try Tensor.matmul(a, b)
        XCTAssertEqual(c.shape, [2, 3, 1, 1])
        XCTAssertEqual(c.toArray(), [1, 3, 5, 2, 4, 6])
    }

    func testInnerSizeMismatch() {
        XCTAssertThrowsError(try Tensor.matmul(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]))) { error in
            XCTAssertEqual("\(error)", "matmul: shapes [2, 3] and [2, 3] do not match")
        }
    }

    func testEmptyInnerDimensionGivesZeros() throws {
        XCTAssertEqual(try Tensor.matmul(Tensor.zeros([2, 0]), Tensor.zeros([0, 3])).toArray(), [Float](repeating: 0, count: 6))
    }

    func testGradients() throws {
        try assertGradientsMatch([uniformTensor([3, 4], seed: 1), uniformTensor([4, 5], seed: 2)]) {
            try Tensor.matmul($0[0], $0[1])
        }
        try assertGradientsMatch([uniformTensor([2, 3, 4], seed: 3), uniformTensor([4, 2], seed: 4)]) {
            try Tensor.matmul($0[0], $0[1])
        }
        for (ta, tb) in [(false, true), (true, false), (true, true)] {
            let a = uniformTensor(ta ? [4, 3] : [3, 4], seed: 5), b = uniformTensor(tb ? [5, 4] : [4, 5], seed: 6)
            try assertGradientsMatch([a, b]) { try Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
        }
    }
}
