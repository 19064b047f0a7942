import XCTest
import GirdTensor
@testable import GirdTrain

/// Each expected value is worked out by hand from torch.optim.SGD's update
/// rule (dampening 0), in the comment beside it.
final class SGDTests: XCTestCase {
    func parameter(_ values: [Float]) throws -> Tensor {
        try Tensor(shape: [values.count], values: values).requiringGrad()
    }

    /// Sets the gradient of `p` to `g` through the tape: loss = sum(p · g).
    func setGradient(_ p: Tensor, _ g: [Float]) throws {
        p.clearGrad()
        try (p * Tensor(shape: [g.count], values: g)).sum().backward()
    }

    func testPlainStep() throws {
        let p = try parameter([1, -2])
        let sgd = try SGD(parameters: [p], learningRate: 0.1)
        try setGradient(p, [0.5, 1])
        try sgd.step()
        // p − 0.1·g = [1 − 0.05, −2 − 0.1]
        assertEqual(p.toArray(), [0.95, -2.1])
    }

    func testMomentumAndWeightDecay() throws {
        let p = try parameter([1])
        let sgd = try SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        try setGradient(p, [2])
        try sgd.step()
        // d = 2 + 0.01·1 = 2.01; b = 2.01; p = 1 − 0.201 = 0.799
        assertEqual(p.toArray(), [0.799])
        try setGradient(p, [2])
        try sgd.step()
        // d = 2 + 0.00799 = 2.00799; b = 0.9·2.01 + 2.00799 = 3.81699; p = 0.799 − 0.381699 = 0.417301
        assertEqual(p.toArray(), [0.417301])
        assertEqual(sgd.momentumBuffers[0]!.toArray(), [3.81699])
    }

    func testNesterov() throws {
        let p = try parameter([1])
        let sgd = try SGD(parameters: [p], learningRate: 0.1, momentum: 0.5, nesterov: true)
        try setGradient(p, [1])
        try sgd.step()
        // b = 1; d = 1 + 0.5·1 = 1.5; p = 1 − 0.15 = 0.85
        assertEqual(p.toArray(), [0.85])
        try setGradient(p, [1])
        try sgd.step()
        // b = 0.5 + 1 = 1.5; d = 1 + 0.75 = 1.75; p = 0.85 − 0.175 = 0.675
        assertEqual(p.toArray(), [0.675])
    }

    func testParametersWithoutGradientAreSkipped() throws {
        let p = try parameter([1]), q = try parameter([3])
        let sgd = try SGD(parameters: [p, q], learningRate: 1, momentum: 0.9)
        try setGradient(p, [1])
        try sgd.step()
        XCTAssertEqual(q.toArray(), [3])
        XCTAssertNil(sgd.momentumBuffers[1])
    }

    func testBadSettings() {
        XCTAssertThrowsError(try SGD(parameters: [], learningRate: -1)) { error in
            XCTAssertEqual("\(error)", "SGD: learning rate, momentum and weight decay must be non-negative, got -1.0, 0.0, 0.0")
        }
        XCTAssertThrowsError(try SGD(parameters: [], learningRate: 0.1, nesterov: true))
    }

    private func assertEqual(_ actual: [Float], _ expected: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-6 * max(1, abs(e)), file: file, line: line) }
    }
}
