import XCTest
@testable import GirdTensor

final class ConcatTests: XCTestCase {
    func testAlongEitherAxis() throws {
        let a = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let b = try Tensor(shape: [1, 2], values: [5, 6])
        let c = try Tensor(shape: [2, 1], values: [7, 8])
        let rows = try Tensor.concatenated([a, b], axis: 0)
        XCTAssertEqual(rows.shape, [3, 2])
        XCTAssertEqual(rows.toArray(), [1, 2, 3, 4, 5, 6])
        let columns = try Tensor.concatenated([a, c], axis: -1)
        XCTAssertEqual(columns.shape, [2, 3])
        XCTAssertEqual(columns.toArray(), [1, 2, 7, 3, 4, 8])
    }

    func testEmptyPartContributesNothing() throws {
        // An empty memory bank (0 x d) joined to a batch.
        let batch = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let joined = try Tensor.concatenated([batch, Tensor.zeros([0, 3])], axis: 0)
        XCTAssertEqual(joined.shape, [2, 3])
        XCTAssertEqual(joined.toArray(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try Tensor.concatenated([Tensor.zeros([0, 3]), Tensor.zeros([0, 3])]).shape, [0, 3])
    }

    func testIndices() throws {
        let joined = try Tensor.concatenated([Tensor(shape: [2], indices: [1, 2]), Tensor(shape: [1], indices: [3])])
        XCTAssertEqual(joined.toIndices(), [1, 2, 3])
    }

    func testErrors() throws {
        XCTAssertThrowsError(try Tensor.concatenated([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])], axis: 0)) { error in
            XCTAssertEqual("\(error)", "concatenate: shapes [2, 3] and [2, 4] differ outside dimension 0")
        }
        XCTAssertThrowsError(try Tensor.concatenated([])) { error in
            XCTAssertEqual("\(error)", "concatenate: needs at least one tensor")
        }
        XCTAssertThrowsError(try Tensor.concatenated([Tensor.zeros([2]), Tensor(shape: [1], indices: [1])])) { error in
            XCTAssertEqual(error as? TensorError, .dtypeMismatch(op: "concatenate", expected: .float32, got: .int64))
        }
    }

    func testGradients() throws {
        let inputs = [uniformTensor([2, 1, 3], seed: 1), uniformTensor([2, 4, 3], seed: 2), uniformTensor([2, 2, 3], seed: 3)]
        try assertGradientsMatch(inputs) { try Tensor.concatenated($0, axis: 1) }
        try assertGradientsMatch([uniformTensor([1, 3], seed: 4), uniformTensor([2, 3], seed: 5)]) {
            try Tensor.concatenated([$0[0], Tensor.zeros([0, 3]), $0[1]], axis: 0)
        }
    }
}
