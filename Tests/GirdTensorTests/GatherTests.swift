import XCTest
@testable import GirdTensor

final class GatherTests: XCTestCase {
    func testGatherAlongColumns() throws {
        // torch.gather's own example: [[1, 2], [3, 4]] with [[0, 0], [1, 0]] along dim 1.
        let x = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let picks = try Tensor(shape: [2, 2], indices: [0, 0, 1, 0])
        XCTAssertEqual(try x.gather(axis: 1, indices: picks).toArray(), [1, 1, 4, 3])
        // Along rows, with fewer columns than the input: out[i][j] = x[idx[i][j]][j].
        let rows = try Tensor(shape: [1, 2], indices: [1, 0])
        XCTAssertEqual(try x.gather(axis: 0, indices: rows).toArray(), [3, 2])
    }

    func testGatherPicksLabelColumn() throws {
        // The log-probability of each sample's label: gather with [N, 1] labels.
        let logProbabilities = try Tensor(shape: [3, 4], values: (0..<12).map(Float.init))
        let labels = try Tensor(shape: [3, 1], indices: [3, 0, 2])
        XCTAssertEqual(try logProbabilities.gather(axis: 1, indices: labels).toArray(), [3, 4, 10])
    }

    func testRepeatedIndicesAccumulateGradient() throws {
        let x = try Tensor(shape: [2, 2], values: [1, 2, 3, 4]).requiringGrad()
        try x.gather(axis: 1, indices: Tensor(shape: [2, 2], indices: [0, 0, 1, 0])).sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [2, 0, 1, 1])
    }

    func testIndexSelect() throws {
        let x = try Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let picks = try Tensor(shape: [3], indices: [2, 0, 2])
        XCTAssertEqual(try x.indexSelect(axis: 0, indices: picks).toArray(), [5, 6, 1, 2, 5, 6])
        XCTAssertEqual(try x.indexSelect(axis: 1, indices: Tensor(shape: [1], indices: [1])).toArray(), [2, 4, 6])
        XCTAssertEqual(try x.indexSelect(axis: 0, indices: Tensor(shape: [0], indices: [])).shape, [0, 2])
        let labels = try Tensor(shape: [4], indices: [10, 11, 12, 13])
        XCTAssertEqual(try labels.indexSelect(axis: 0, indices: Tensor(shape: [2], indices: [3, 1])).toIndices(), [13, 11])

        let leaf = try Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6]).requiringGrad()
        try leaf.indexSelect(axis: 0, indices: picks).sum().backward()
        XCTAssertEqual(leaf.grad?.toArray(), [1, 1, 0, 0, 2, 2])
    }

    func testOutOfRangeIndicesAreNamed() throws {
        let x = Tensor.zeros([3, 2])
        XCTAssertThrowsError(try x.indexSelect(axis: 0, indices: Tensor(shape: [2], indices: [0, 3]))) { error in
            XCTAssertEqual("\(error)", "indexSelect: index 3 is out of range for dimension 0 of size 3")
        }
        XCTAssertThrowsError(try x.gather(axis: 1, indices: Tensor(shape: [1, 1], indices: [-1]))) { error in
            XCTAssertEqual("\(error)", "gather: index -1 is out of range for dimension 1 of size 2")
        }
        XCTAssertThrowsError(try x.gather(axis: 1, indices: Tensor(shape: [4, 1], indices: [0, 0, 0, 0]))) { error in
            XCTAssertEqual("\(error)", "gather: indices of shape [4, 1] do not fit a tensor of shape [3, 2] along dimension 1")
        }
        XCTAssertThrowsError(try x.indexSelect(axis: 0, indices: Tensor.zeros([1]))) { error in
            XCTAssertEqual(error as? TensorError, .dtypeMismatch(op: "indexSelect", expected: .int64, got: .float32))
        }
    }

    func testGradients() throws {
        let picks = try Tensor(shape: [2, 3, 2], indices: [0, 3, 1, 1, 2, 0, 3, 3, 0, 1, 2, 2])
        try assertGradientsMatch([uniformTensor([2, 4, 3], seed: 1)]) { try $0[0].gather(axis: 1, indices: picks) }
        let rows = try Tensor(shape: [4], indices: [1, 1, 0, 2])
        try assertGradientsMatch([uniformTensor([3, 2, 2], seed: 2)]) { try $0[0].indexSelect(axis: 0, indices: rows) }
        try assertGradientsMatch([uniformTensor([2, 3, 2], seed: 3)]) { try $0[0].indexSelect(axis: 1, indices: rows.sliced(axis: 0, end: 3)) }
    }
}
