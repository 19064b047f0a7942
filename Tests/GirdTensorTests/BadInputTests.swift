import XCTest
@testable import GirdTensor

/// Bad input must come back as a thrown `TensorError`, never a crash: every
/// op that computes on floats refuses an int64 tensor (labels, indices)
/// passed where a float one belongs, and names itself in the error.
final class BadInputTests: XCTestCase {
    let labels = try! Tensor(shape: [2, 4, 4, 4], indices: Array(repeating: 1, count: 128))
    let floats = uniformTensor([2, 4, 4, 4], seed: 1)

    func testFloatOpsRefuseInt64() throws {
        let ops: [(String, (Tensor) throws -> Tensor)] = [
            ("exp", { try $0.exp() }), ("log", { try $0.log() }), ("sqrt", { try $0.sqrt() }),
            ("abs", { try $0.abs() }), ("square", { try $0.square() }), ("pow", { try $0.pow(2) }),
            ("tanh", { try $0.tanh() }), ("sigmoid", { try $0.sigmoid() }), ("relu", { try $0.relu() }),
            ("relu6", { try $0.relu6() }), ("clamp", { try $0.clamp(min: 0) }), ("neg", { try -$0 }),
            ("add", { try $0 + self.floats }), ("mul", { try self.floats * $0 }),
            ("sum", { try $0.sum() }), ("mean", { try $0.mean() }),
            ("max", { try $0.max(axis: 1) }), ("logsumexp", { try $0.logsumexp(axes: [1]) }),
            ("softmax", { try $0.softmax(axis: 1) }), ("logSoftmax", { try $0.logSoftmax(axis: 1) }),
            ("matmul", { try Tensor.matmul($0, self.floats) }),
            ("conv2d", { try Tensor.conv2d($0, weight: Tensor.zeros([4, 4, 3, 3]), padding: 1) }),
            ("conv2d weight", { try Tensor.conv2d(self.floats, weight: $0.narrowed(axis: 2, start: 0, length: 3).narrowed(axis: 3, start: 0, length: 3)) }),
            ("batchNorm", { try Tensor.batchNorm($0, weight: nil, bias: nil, runningMean: .zeros([4]), runningVariance: .ones([4]), training: true) }),
            ("maxPool2d", { try $0.maxPool2d(kernel: 2) }), ("avgPool2d", { try $0.avgPool2d(kernel: 2) }),
            ("adaptiveAvgPool2d", { try $0.adaptiveAvgPool2d(outputSize: 3) }), ("globalAvgPool", { try $0.globalAvgPool() }),
            ("l2Normalized", { try $0.l2Normalized() }),
            ("mseLoss", { try Tensor.mseLoss($0, self.floats) }),
            ("huberLoss", { try Tensor.huberLoss(self.floats, $0) }),
            ("klDivergence", { try Tensor.klDivergence($0, target: self.floats) }),
            ("linear", { try Tensor.linear($0.reshaped([8, 16]), weight: .zeros([3, 16])) }),
            ("pairwiseDistances", { try Tensor.pairwiseDistances($0.reshaped([8, 16]), self.floats.reshaped([8, 16])) }),
            ("dropout", { try $0.dropout(probability: 0.5, training: true, generator: RandomGenerator(seed: 1)) }),
        ]
        for (name, op) in ops {
            XCTAssertThrowsError(try op(labels), name) { error in
                XCTAssertNotNil(error as? TensorError, name)
            }
        }
    }

    func testCrossEntropyNeedsInt64Labels() {
        let logits = uniformTensor([2, 3], seed: 2)
        XCTAssertThrowsError(try Tensor.crossEntropy(logits, labels: logits.narrowed(axis: 1, start: 0, length: 1).squeezed(axis: 1)))
        XCTAssertThrowsError(try Tensor.crossEntropy(logits, labels: Tensor(shape: [2], indices: [0, 3])))
    }

    func testIndexOpsRefuseFloatIndices() {
        XCTAssertThrowsError(try floats.gather(axis: 1, indices: floats))
        XCTAssertThrowsError(try floats.indexSelect(axis: 0, indices: Tensor(shape: [1], values: [0])))
    }
}
