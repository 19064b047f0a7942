import XCTest
@testable import GirdTensor

final class SoftmaxTests: XCTestCase {
    func testValuesByHand() throws {
        // e/(e+e²+e³) etc.: [0.09003057, 0.24472847, 0.66524096]; the log is
        // x − 3.40760596 (the logsumexp).
        let x = try Tensor(shape: [1, 3], values: [1, 2, 3])
        assertClose(try x.softmax(axis: 1).toArray(), [0.090_030_57, 0.244_728_47, 0.665_240_96])
        assertClose(try x.logSoftmax(axis: -1).toArray(), [-2.407_605_96, -1.407_605_96, -0.407_605_96])
    }

    func testAlongTheFirstAxis() throws {
        // Columns [0, ln 3] → [1/4, 3/4] and [5, 5] → [1/2, 1/2].
        let x = try Tensor(shape: [2, 2], values: [0, 5, Float(log(3.0)), 5])
        assertClose(try x.softmax(axis: 0).toArray(), [0.25, 0.5, 0.75, 0.5])
    }

    func testLargeAndMaskedLogits() throws {
        // [1000, 1001] is [0, 1] shifted: 1/(1+e) = 0.26894142.
        let big = try Tensor(shape: [2], values: [1000, 1001])
        assertClose(try big.softmax(axis: 0).toArray(), [0.268_941_42, 0.731_058_58])
        assertClose(try big.logSoftmax(axis: 0).toArray(), [-1.313_261_69, -0.313_261_69])
        // A masked (−inf) entry has probability 0 and log-probability −inf.
        let masked = try Tensor(shape: [3], values: [-.infinity, 0, 0])
        XCTAssertEqual(try masked.softmax(axis: 0).toArray(), [0, 0.5, 0.5])
        XCTAssertEqual(try masked.logSoftmax(axis: 0).toArray()[0], -.infinity)
        // An underflowing probability keeps its logarithm: log softmax([0, -200]).
        assertClose(try Tensor(shape: [2], values: [0, -200]).logSoftmax(axis: 0).toArray(), [0, -200])
    }

    func testRowsSumToOneOnA4DTensor() throws {
        let x = uniformTensor([2, 3, 4, 5], seed: 1, low: -4, high: 4)
        let sums = try x.softmax(axis: 1).sum(axes: [1]).toArray()
        assertClose(sums, [Float](repeating: 1, count: 40))
    }

    func testEmpty() throws {
        XCTAssertEqual(try Tensor.zeros([0, 5]).softmax(axis: 1).shape, [0, 5])
        XCTAssertEqual(try Tensor.zeros([3, 0]).logSoftmax(axis: 1).shape, [3, 0])
    }

    func testGradients() throws {
        let x = uniformTensor([3, 4], seed: 2, low: -2, high: 2)
        try assertGradientsMatch([x]) { try $0[0].softmax(axis: 1) }
        try assertGradientsMatch([x]) { try $0[0].logSoftmax(axis: 1) }
        let y = uniformTensor([2, 3, 2], seed: 3, low: -2, high: 2)
        try assertGradientsMatch([y]) { try $0[0].softmax(axis: 1) }
        try assertGradientsMatch([y]) { try $0[0].logSoftmax(axis: 0) }
    }
}
