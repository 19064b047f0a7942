import XCTest
@testable import GirdTensor

final class DistancesTests: XCTestCase {
    /// a = [[0, 0], [1, 1]], b = [[3, 4], [0, 0]]: distances [[5, 0], [√13, √2]].
    private func points() throws -> (Tensor, Tensor) {
        (try Tensor(shape: [2, 2], values: [0, 0, 1, 1]), try Tensor(shape: [2, 2], values: [3, 4, 0, 0]))
    }

    func testEuclideanAndSquared() throws {
        let (a, b) = try points()
        assertClose(try Tensor.pairwiseDistances(a, b).toArray(), [5, 0, 3.605_551_28, 1.414_213_56])
        XCTAssertEqual(try Tensor.pairwiseDistances(a, b, squared: true).toArray(), [25, 0, 13, 2])
        XCTAssertEqual(try Tensor.pairwiseDistances(a, Tensor.zeros([0, 2])).shape, [2, 0])
    }

    func testDuplicateRowsAreExactlyZero() throws {
        // Large coordinates: the ‖a‖² + ‖b‖² − 2ab expansion would not cancel to 0.
        let a = try Tensor(shape: [1, 3], values: [1000.1, -2000.3, 3000.7])
        XCTAssertEqual(try Tensor.pairwiseDistances(a, a).item(), 0)
    }

    func testGradientAtZeroDistanceIsZero() throws {
        // Σ D: for a_0 only the pair with b_0 counts, (a_0 − b_0)/5 = [−0.6, −0.8]
        // (its pair with b_1 is at distance 0); a_1 gets (a_1 − b_0)/√13 +
        // (a_1 − b_1)/√2 = [−2, −3]/√13 + [1, 1]/√2.
        let (a, b) = try points()
        try a.requiringGrad()
        try b.requiringGrad()
        try Tensor.pairwiseDistances(a, b).sum().backward()
        let r13 = Float(13).squareRoot(), r2 = Float(2).squareRoot()
        assertClose(a.grad!.toArray(), [-0.6, -0.8, -2 / r13 + 1 / r2, -3 / r13 + 1 / r2])
        assertClose(b.grad!.toArray(), [0.6 + 2 / r13, 0.8 + 3 / r13, -1 / r2, -1 / r2])
    }

    func testCosineSimilarities() throws {
        // [1, 0]·[1, 1]/√2 = 0.70710678; [0, 2] likewise; a zero row gives 0.
        let a = try Tensor(shape: [2, 2], values: [1, 0, 0, 2]), b = try Tensor(shape: [2, 2], values: [1, 1, 0, 0])
        assertClose(try Tensor.cosineSimilarities(a, b).toArray(), [0.707_106_78, 0, 0.707_106_78, 0])
    }

    func testShapeMismatch() {
        XCTAssertThrowsError(try Tensor.pairwiseDistances(Tensor.zeros([2, 3]), Tensor.zeros([2, 4]))) { error in
            XCTAssertEqual("\(error)", "pairwiseDistances: shapes [2, 3] and [2, 4] do not match")
        }
        XCTAssertThrowsError(try Tensor.cosineSimilarities(Tensor.zeros([3]), Tensor.zeros([2, 3]))) { error in
            XCTAssertEqual("\(error)", "cosineSimilarities: shapes [3] and [2, 3] do not match")
        }
    }

    func testGradients() throws {
        // Widths past one SIMD block (32) exercise the vector loop and its tail.
        let a = uniformTensor([3, 37], seed: 1), b = uniformTensor([4, 37], seed: 2)
        try assertGradientsMatch([a, b]) { try Tensor.pairwiseDistances($0[0], $0[1]) }
        try assertGradientsMatch([a, b]) { try Tensor.pairwiseDistances($0[0], $0[1], squared: true) }
        try assertGradientsMatch([a, b]) { try Tensor.cosineSimilarities($0[0], $0[1]) }
        // Distances of a set to itself: the zero diagonal must not break the rest.
        try assertGradientsMatch([uniformTensor([4, 5], seed: 3)]) { try Tensor.pairwiseDistances($0[0], $0[0]) }
    }
}
