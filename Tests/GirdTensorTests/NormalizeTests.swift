import XCTest
@testable import GirdTensor

final class NormalizeTests: XCTestCase {
    func testRowsBecomeUnitVectors() throws {
        // [3, 4] / 5 and [0, −2] / 2.
        let x = try Tensor(shape: [2, 2], values: [3, 4, 0, -2])
        XCTAssertEqual(try x.l2Normalized().toArray(), [0.6, 0.8, 0, -1])
        // Along the first axis: columns [3, 0] and [4, −2] / √20.
        assertClose(try x.l2Normalized(axis: 0).toArray(), [1, 0.894_427_19, 0, -0.447_213_6])
    }

    func testZeroRowStaysZeroWithAFiniteGradient() throws {
        let x = try Tensor(shape: [2, 3], values: [0, 0, 0, 1, 2, 2]).requiringGrad()
        let y = try x.l2Normalized(axis: 1)
        XCTAssertEqual(y.toArray(), [0, 0, 0, 1.0 / 3, 2.0 / 3, 2.0 / 3])
        try y.sum().backward()
        let grad = x.grad!.toArray()
        XCTAssertTrue(grad.allSatisfy { $0.isFinite })
        // Below ε the denominator is the constant ε: the gradient is g/ε.
        XCTAssertEqual(grad[0], 1e12, accuracy: 1e6)
        // Above it, g − y⟨g, y⟩ over the norm 3: ⟨1, y⟩ = 5/3, so
        // (1 − y·5/3)/3 = [4/27, −1/27, −1/27].
        assertClose(Array(grad[3...]), [4.0 / 27, -1.0 / 27, -1.0 / 27])
    }

    func testGradients() throws {
        try assertGradientsMatch([uniformTensor([3, 4], seed: 1)]) { try $0[0].l2Normalized(axis: 1) }
        try assertGradientsMatch([uniformTensor([2, 3, 2], seed: 2)]) { try $0[0].l2Normalized(axis: 1) }
        // A row with norm below a large ε exercises the constant-denominator branch.
        let small = try Tensor(shape: [2, 2], values: [0.3, -0.2, 3, 4])
        try assertGradientsMatch([small]) { try $0[0].l2Normalized(axis: 1, epsilon: 1) }
    }
}
