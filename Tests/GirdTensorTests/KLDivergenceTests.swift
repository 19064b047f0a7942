import Foundation
import XCTest
@testable import GirdTensor

final class KLDivergenceTests: XCTestCase {
    /// Row 1: p = [0.5, 0.5], q = [0.25, 0.75]: terms 0.5 ln 2 = 0.34657359
    /// and 0.5 ln(2/3) = −0.20273255. Row 2: p = [1, 0], q = [0.5, 0.5]:
    /// terms ln 2 = 0.69314718 and 0 (0 · log 0). KL per row 0.14384104 and
    /// 0.69314718; sum 0.83698822.
    private let p: [Float] = [0.5, 0.5, 1, 0]
    private let q: [Float] = [0.25, 0.75, 0.5, 0.5]

    func testReductionsByHand() throws {
        let input = try Tensor(shape: [2, 2], values: q.map { log($0) })
        let target = try Tensor(shape: [2, 2], values: p)
        assertClose(try Tensor.klDivergence(input, target: target, reduction: .none).toArray(),
                    [0.346_573_59, -0.202_732_55, 0.693_147_18, 0])
        assertClose([try Tensor.klDivergence(input, target: target, reduction: .sum).item()], [0.836_988_22])
        assertClose([try Tensor.klDivergence(input, target: target).item()], [0.418_494_11])          // batch mean: / 2
        assertClose([try Tensor.klDivergence(input, target: target, reduction: .mean).item()], [0.209_247_06])  // / 4
    }

    func testLogTargetGivesTheSame() throws {
        let input = try Tensor(shape: [2, 2], values: q.map { log($0) })
        let logTarget = try Tensor(shape: [2, 2], values: p.map { log($0) })   // log 0 = −inf
        assertClose(try Tensor.klDivergence(input, target: logTarget, reduction: .none, logTarget: true).toArray(),
                    [0.346_573_59, -0.202_732_55, 0.693_147_18, 0])
    }

    func testMaskedPositionContributesNothing() throws {
        // A −inf log-probability where the target is 0 (a masked diagonal).
        let input = try Tensor(shape: [1, 2], values: [0, -.infinity]).requiringGrad()
        let target = try Tensor(shape: [1, 2], values: [1, 0])
        let loss = try Tensor.klDivergence(input, target: target)
        XCTAssertEqual(try loss.item(), 0)
        try loss.backward()
        XCTAssertEqual(input.grad?.toArray(), [-1, 0])
    }

    func testKnowledgeDistillationOfLogits() throws {
        // Hinton KD at T = 1 on one sample: teacher logits [0, ln 3] give
        // p = [0.25, 0.75]; student logits [0, 0] give q = [0.5, 0.5].
        // KL(p‖q) = 0.25 ln 0.5 + 0.75 ln 1.5 = −0.17328680 + 0.30409883 = 0.13081204.
        let student = try Tensor(shape: [1, 2], values: [0, 0])
        let teacher = try Tensor(shape: [1, 2], values: [0, Float(log(3.0))])
        let loss = try Tensor.klDivergence(student.logSoftmax(axis: 1), target: teacher.softmax(axis: 1))
        assertClose([try loss.item()], [0.130_812_04])
    }

    func testShapeMismatch() {
        XCTAssertThrowsError(try Tensor.klDivergence(Tensor.zeros([2, 3]), target: Tensor.zeros([3, 2]))) { error in
            XCTAssertEqual("\(error)", "klDivergence: shapes [2, 3] and [3, 2] do not match")
        }
    }

    func testGradients() throws {
        let input = try uniformTensor([3, 4], seed: 1).logSoftmax(axis: 1)
        let target = try uniformTensor([3, 4], seed: 2).softmax(axis: 1)
        try assertGradientsMatch([input, target]) { try Tensor.klDivergence($0[0], target: $0[1]) }
        try assertGradientsMatch([input, target]) { try Tensor.klDivergence($0[0], target: $0[1], reduction: .none) }
        try assertGradientsMatch([input, target.log()]) { try Tensor.klDivergence($0[0], target: $0[1], logTarget: true) }
        try assertGradientsMatch([uniformTensor([3, 4], seed: 3)]) {
            try Tensor.klDivergence($0[0].logSoftmax(axis: 1), target: target)
        }
    }
}
