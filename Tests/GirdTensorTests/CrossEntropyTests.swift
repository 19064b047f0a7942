import XCTest
@testable import GirdTensor

final class CrossEntropyTests: XCTestCase {
    func testByHand() throws {
        // Both rows [1, 2, 3]: lse = 3.40760596. Label 2: 3.40760596 − 3 =
        // 0.40760596; label 0: 3.40760596 − 1 = 2.40760596.
        let logits = try Tensor(shape: [2, 3], values: [1, 2, 3, 1, 2, 3])
        let labels = try Tensor(shape: [2], indices: [2, 0])
        assertClose(try Tensor.crossEntropy(logits, labels: labels, reduction: .none).toArray(), [0.407_605_96, 2.407_605_96])
        assertClose([try Tensor.crossEntropy(logits, labels: labels).item()], [1.407_605_96])
        assertClose([try Tensor.crossEntropy(logits, labels: labels, reduction: .sum).item()], [2.815_211_92])
    }

    func testLabelSmoothingByHand() throws {
        // ε = 0.1, C = 3, row [1, 2, 3], label 2:
        // 0.9 · 0.40760596 + (0.1/3)(2.40760596 + 1.40760596 + 0.40760596)
        // = 0.36684536 + 0.14076060 = 0.50760596.
        let logits = try Tensor(shape: [1, 3], values: [1, 2, 3])
        let loss = try Tensor.crossEntropy(logits, labels: Tensor(shape: [1], indices: [2]), labelSmoothing: 0.1)
        assertClose([try loss.item()], [0.507_605_96])
    }

    func testGradientIsSoftmaxMinusTarget() throws {
        let logits = try Tensor(shape: [1, 3], values: [1, 2, 3]).requiringGrad()
        try Tensor.crossEntropy(logits, labels: Tensor(shape: [1], indices: [2])).backward()
        assertClose(logits.grad!.toArray(), [0.090_030_57, 0.244_728_47, 0.665_240_96 - 1])
    }

    func testLargeLogitsStayFinite() throws {
        let logits = try Tensor(shape: [2, 2], values: [1000, 0, 1000, 0])
        let losses = try Tensor.crossEntropy(logits, labels: Tensor(shape: [2], indices: [0, 1]), reduction: .none).toArray()
        assertClose(losses, [0, 1000])
    }

    func testErrors() throws {
        let logits = Tensor.zeros([2, 3])
        XCTAssertThrowsError(try Tensor.crossEntropy(logits, labels: Tensor(shape: [2], indices: [0, 5]))) { error in
            XCTAssertEqual("\(error)", "crossEntropy: label 5 is out of range for 3 classes")
        }
        XCTAssertThrowsError(try Tensor.crossEntropy(logits, labels: Tensor(shape: [2], indices: [-1, 0]))) { error in
            XCTAssertEqual("\(error)", "crossEntropy: label -1 is out of range for 3 classes")
        }
        XCTAssertThrowsError(try Tensor.crossEntropy(logits, labels: Tensor(shape: [3], indices: [0, 0, 0]))) { error in
            XCTAssertEqual("\(error)", "crossEntropy: shapes [2, 3] and [3] do not match")
        }
        XCTAssertThrowsError(try Tensor.crossEntropy(logits, labels: Tensor.zeros([2]))) { error in
            XCTAssertEqual(error as? TensorError, .dtypeMismatch(op: "crossEntropy", expected: .int64, got: .float32))
        }
    }

    func testEmptyBatch() throws {
        let empty = try Tensor.crossEntropy(Tensor.zeros([0, 3]), labels: Tensor(shape: [0], indices: []), reduction: .sum)
        XCTAssertEqual(try empty.item(), 0)
    }

    func testGradients() throws {
        let logits = uniformTensor([4, 5], seed: 1, low: -3, high: 3)
        let labels = try Tensor(shape: [4], indices: [0, 4, 2, 2])
        try assertGradientsMatch([logits]) { try Tensor.crossEntropy($0[0], labels: labels) }
        try assertGradientsMatch([logits]) { try Tensor.crossEntropy($0[0], labels: labels, labelSmoothing: 0.2, reduction: .none) }
        try assertGradientsMatch([logits]) { try Tensor.crossEntropy($0[0], labels: labels, reduction: .sum) }
    }
}
