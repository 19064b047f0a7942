import XCTest
@testable import GirdTensor

final class LinearTests: XCTestCase {
    func testByHand() throws {
        // x = [[1, 2, 3], [0, -1, 1]], W = [[1, 0, 2], [0, 1, 1]], b = [10, 20]:
        // x Wᵀ = [[1+6, 2+3], [2, -1+1]] = [[7, 5], [2, 0]].
        let x = try Tensor(shape: [2, 3], values: [1, 2, 3, 0, -1, 1])
        let w = try Tensor(shape: [2, 3], values: [1, 0, 2, 0, 1, 1])
        let b = try Tensor(shape: [2], values: [10, 20])
        XCTAssertEqual(try Tensor.linear(x, weight: w).toArray(), [7, 5, 2, 0])
        XCTAssertEqual(try Tensor.linear(x, weight: w, bias: b).toArray(), [17, 25, 12, 20])
        // A single vector, and leading batch axes.
        XCTAssertEqual(try Tensor.linear(Tensor(shape: [3], values: [1, 2, 3]), weight: w, bias: b).toArray(), [17, 25])
        let batched = try Tensor.linear(x.reshaped([2, 1, 3]), weight: w, bias: b)
        XCTAssertEqual(batched.shape, [2, 1, 2])
        XCTAssertEqual(batched.toArray(), [17, 25, 12, 20])
        XCTAssertEqual(try Tensor.linear(Tensor.zeros([0, 3]), weight: w, bias: b).shape, [0, 2])
    }

    func testShapeErrors() {
        let w = Tensor.zeros([2, 3])
        XCTAssertThrowsError(try Tensor.linear(Tensor.zeros([2, 4]), weight: w)) { error in
            XCTAssertEqual("\(error)", "linear: shapes [2, 4] and [2, 3] do not match")
        }
        XCTAssertThrowsError(try Tensor.linear(Tensor.zeros([2, 3]), weight: w, bias: Tensor.zeros([3]))) { error in
            XCTAssertEqual("\(error)", "linear: shapes [2, 3] and [3] do not match")
        }
    }

    func testGradients() throws {
        let x = uniformTensor([2, 2, 5], seed: 1), w = uniformTensor([3, 5], seed: 2), b = uniformTensor([3], seed: 3)
        try assertGradientsMatch([x, w, b]) { try Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        try assertGradientsMatch([x, w]) { try Tensor.linear($0[0], weight: $0[1]) }
    }
}
