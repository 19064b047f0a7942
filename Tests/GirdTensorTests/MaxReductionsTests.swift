import XCTest
@testable import GirdTensor

final class MaxReductionsTests: XCTestCase {
    /// [[1 5 3], [7 2 7]]: a tie for the maximum in the second row.
    private func matrix() throws -> Tensor { try Tensor(shape: [2, 3], values: [1, 5, 3, 7, 2, 7]) }

    func testValuesAndIndices() throws {
        let x = try matrix()
        XCTAssertEqual(try x.max(axis: 1).toArray(), [5, 7])
        let (values, indices) = try x.maxWithIndices(axis: 1)
        XCTAssertEqual(values.toArray(), [5, 7])
        XCTAssertEqual(indices.toIndices(), [1, 0])          // tie: the first
        XCTAssertEqual(try x.argmax(axis: 1).toIndices(), [1, 0])
        XCTAssertEqual(try x.argmax(axis: 0).toIndices(), [1, 0, 1])
        XCTAssertEqual(try x.min(axis: 0).toArray(), [1, 2, 3])
        XCTAssertEqual(try x.minWithIndices(axis: 0).indices.toIndices(), [0, 1, 0])
        XCTAssertEqual(try x.argmin(axis: -1).toIndices(), [0, 1])
        XCTAssertEqual(try x.max().item(), 7)
        XCTAssertEqual(try x.min().item(), 1)
        XCTAssertEqual(try x.max(axis: 0, keepingDimensions: true).shape, [1, 3])
        XCTAssertEqual(try x.argmax(axis: 1, keepingDimensions: true).shape, [2, 1])
        XCTAssertEqual(try Tensor(3).max(axis: 0).item(), 3)
    }

    func testMiddleAxis() throws {
        // x[i][j][k] = values below; max over j.
        let x = try Tensor(shape: [2, 3, 2], values: [1, 9, 4, 2, 3, 8,
                                                      -1, -2, -5, -3, -4, -9])
        XCTAssertEqual(try x.max(axis: 1).toArray(), [4, 9, -1, -2])
        XCTAssertEqual(try x.argmax(axis: 1).toIndices(), [1, 0, 0, 0])
    }

    func testNaNPropagates() throws {
        let x = try Tensor(shape: [3], values: [1, .nan, 3])
        XCTAssertTrue(try x.max().item().isNaN)
        XCTAssertEqual(try x.argmax(axis: 0).toIndices(), [1])
        XCTAssertEqual(try x.argmin(axis: 0).toIndices(), [1])
    }

    func testGradientGoesToTheFirstMaximum() throws {
        let x = try matrix().requiringGrad()
        try x.max(axis: 1).sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [0, 1, 0, 1, 0, 0])
        let y = try matrix().requiringGrad()
        try y.max().backward()
        XCTAssertEqual(y.grad?.toArray(), [0, 0, 0, 1, 0, 0])
    }

    func testEmptyReductionIsAnError() {
        XCTAssertThrowsError(try Tensor.zeros([2, 0]).max(axis: 1)) { error in
            XCTAssertEqual("\(error)", "max: cannot reduce over dimension 1 of size 0 in a tensor of shape [2, 0]")
        }
        XCTAssertThrowsError(try Tensor.zeros([2, 0]).max()) { error in
            XCTAssertEqual("\(error)", "max: cannot reduce an empty tensor of shape [2, 0]")
        }
        XCTAssertEqual(try Tensor.zeros([0, 3]).max(axis: 1).shape, [0])
    }

    func testMaxGradients() throws {
        // Distinct values, at least 0.1 apart, so no tie is within eps.
        let x = try Tensor(shape: [2, 3, 2], values: [0.3, -0.9, 0.8, 0.1, -0.4, 0.6, 1.2, 0.2, -0.7, 0.5, 0.9, -0.2])
        try assertGradientsMatch([x]) { try $0[0].max(axis: 1) }
        try assertGradientsMatch([x]) { try $0[0].min(axis: 2, keepingDimensions: true) }
        try assertGradientsMatch([x]) { try $0[0].max() }
        try assertGradientsMatch([x]) { try $0[0].min() }
    }

    func testLogSumExpValues() throws {
        // log(e + e² + e³) = 3 + log(1 + e⁻¹ + e⁻²) = 3.40760596.
        assertClose(try Tensor(shape: [3], values: [1, 2, 3]).logsumexp(axes: [0]).toArray(), [3.407_605_96])
        // log(2 e^1000) = 1000 + log 2, without overflow; likewise underflow.
        assertClose(try Tensor(shape: [2, 2], values: [1000, 1000, -1000, -1000]).logsumexp(axes: [1]).toArray(),
                    [1000.693_147, -999.306_853])
        let allMinusInfinity = try Tensor(shape: [2], values: [-.infinity, -.infinity]).logsumexp(axes: [0]).item()
        XCTAssertEqual(allMinusInfinity, -.infinity)
        XCTAssertEqual(try Tensor(shape: [2], values: [.infinity, 1]).logsumexp(axes: [0]).item(), .infinity)
        XCTAssertEqual(try Tensor.zeros([2, 0]).logsumexp(axes: [1]).toArray(), [-.infinity, -.infinity])
        XCTAssertEqual(try Tensor(2).logsumexp(axes: [0]).item(), 2)
    }

    func testLogSumExpOverSeveralAxes() throws {
        let x = uniformTensor([2, 3, 2], seed: 5)
        let values = x.toArray()
        var expected: [Float] = []
        for j in 0..<3 {
            var total: Double = 0
            for i in 0..<2 { for k in 0..<2 { total += exp(Double(values[i * 6 + j * 2 + k])) } }
            expected.append(Float(log(total)))
        }
        assertClose(try x.logsumexp(axes: [0, 2]).toArray(), expected)
        XCTAssertEqual(try x.logsumexp(axes: [2, 0], keepingDimensions: true).shape, [1, 3, 1])
    }

    func testLogSumExpGradients() throws {
        let x = uniformTensor([2, 3, 4], seed: 6, low: -3, high: 3)
        try assertGradientsMatch([x]) { try $0[0].logsumexp(axes: [1]) }
        try assertGradientsMatch([x]) { try $0[0].logsumexp(axes: [0, 2], keepingDimensions: true) }
        try assertGradientsMatch([x]) { try $0[0].logsumexp(axes: [0, 1, 2]) }
        // The gradient is the softmax: [0.09003057, 0.24472847, 0.66524096].
        let leaf = try Tensor(shape: [3], values: [1, 2, 3]).requiringGrad()
        try leaf.logsumexp(axes: [0]).backward()
        assertClose(leaf.grad!.toArray(), [0.090_030_57, 0.244_728_47, 0.665_240_96])
    }
}
