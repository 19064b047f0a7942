import XCTest
@testable import GirdTensor

final class TransposeTests: XCTestCase {
    func testTransposeOfAMatrix() throws {
        let x = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let t = try x.transposed(0, 1)
        XCTAssertEqual(t.shape, [3, 2])
        XCTAssertEqual(t.toArray(), [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(try x.transposed(-1, -2).toArray(), [1, 4, 2, 5, 3, 6])
    }

    func testPermuteMovesEveryAxis() throws {
        // x[i][j][k] = 100 i + 10 j + k; permuted([2, 0, 1])[k][i][j] = x[i][j][k].
        var values: [Float] = []
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { values.append(Float(100 * i + 10 * j + k)) } } }
        let y = try Tensor(shape: [2, 3, 4], values: values).permuted([2, 0, 1])
        XCTAssertEqual(y.shape, [4, 2, 3])
        var expected: [Float] = []
        for k in 0..<4 { for i in 0..<2 { for j in 0..<3 { expected.append(Float(100 * i + 10 * j + k)) } } }
        XCTAssertEqual(y.toArray(), expected)
    }

    func testPermuteOfIndicesAndEmpty() throws {
        let labels = try Tensor(shape: [2, 2], indices: [1, 2, 3, 4])
        XCTAssertEqual(try labels.transposed(0, 1).toIndices(), [1, 3, 2, 4])
        XCTAssertEqual(try Tensor.zeros([0, 3]).transposed(0, 1).shape, [3, 0])
    }

    func testBadPermutation() {
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).permuted([0, 0])) { error in
            XCTAssertEqual("\(error)", "permute: [0, 0] is not a permutation of the axes of a tensor of shape [2, 3]")
        }
        XCTAssertThrowsError(try Tensor.zeros([2, 3]).transposed(0, 2)) { error in
            XCTAssertEqual("\(error)", "transpose: dimension 2 is out of range for a tensor of rank 2")
        }
    }

    func testGradients() throws {
        try assertGradientsMatch([uniformTensor([2, 3, 4], seed: 1)]) { try $0[0].permuted([2, 0, 1]) }
        try assertGradientsMatch([uniformTensor([2, 3, 4], seed: 2)]) { try $0[0].transposed(0, 2) }
        try assertGradientsMatch([uniformTensor([3, 5], seed: 3)]) { try $0[0].transposed(1, 0) }
    }
}
