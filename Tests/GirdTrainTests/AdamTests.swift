import XCTest
import GirdTensor
@testable import GirdTrain

/// Each expected value is worked out by hand from torch.optim.Adam's and
/// AdamW's update rules (β = 0.9, 0.999; ε = 1e-8), in the comment beside it,
/// and agrees with PyTorch 1.13 to Float precision.
final class AdamTests: XCTestCase {
    func parameter(_ values: [Float]) throws -> Tensor {
        try Tensor(shape: [values.count], values: values).requiringGrad()
    }

    /// Sets the gradient of `p` to `g` through the tape: loss = sum(p · g).
    func setGradient(_ p: Tensor, _ g: [Float]) throws {
        p.clearGrad()
        try (p * Tensor(shape: [g.count], values: g)).sum().backward()
    }

    func testThreeSteps() throws {
        let p = try parameter([1])
        let adam = try Adam(parameters: [p], learningRate: 0.1)
        try setGradient(p, [1])
        try adam.step()
        // m = 0.1·1 = 0.1; v = 0.001·1 = 0.001; 1 − β1 = 0.1, 1 − β2 = 0.001
        // p = 1 − (0.1 / 0.1) · 0.1 / (√0.001 / √0.001 + 1e-8) = 1 − 1/(1 + 1e-8) · 0.1 = 0.900000001
        assertEqual(p.toArray(), [0.900000001])
        try setGradient(p, [3])
        try adam.step()
        // m = 0.9·0.1 + 0.1·3 = 0.39; v = 0.999·0.001 + 0.001·9 = 0.009999
        // 1 − 0.9² = 0.19; 1 − 0.999² = 0.001999; √(0.009999 / 0.001999) = 2.2365154
        // p = 0.900000001 − (0.1 / 0.19) · 0.39 / 2.2365154 = 0.900000001 − 0.0917781 = 0.8082219
        assertEqual(p.toArray(), [0.8082219])
        try setGradient(p, [-2])
        try adam.step()
        // m = 0.9·0.39 − 0.1·2 = 0.151; v = 0.999·0.009999 + 0.001·4 = 0.013989001
        // 1 − 0.9³ = 0.271; 1 − 0.999³ = 0.002997001; √(0.013989001 / 0.002997001) = 2.1604783
        // p = 0.8082219 − (0.1 / 0.271) · 0.151 / 2.1604783 = 0.8082219 − 0.0257904 = 0.7824315
        assertEqual(p.toArray(), [0.7824315])
        let state = try XCTUnwrap(adam.states[0])
        XCTAssertEqual(state.step, 3)
        assertEqual(state.average.toArray(), [0.151])
        assertEqual(state.squaredAverage.toArray(), [0.013989001])
    }

    func testAdamWeightDecayIsAddedToTheGradient() throws {
        let p = try parameter([2])
        let adam = try Adam(parameters: [p], learningRate: 0.1, weightDecay: 1)
        try setGradient(p, [-1])
        try adam.step()
        // g = −1 + 1·2 = 1, so p moves down although its own gradient pushes it up:
        // m = 0.1; v = 0.001; p = 2 − 1 · 0.1 / (1 + 1e-8) = 1.9
        assertEqual(p.toArray(), [1.9])
        assertEqual(adam.states[0]!.average.toArray(), [0.1])
        assertEqual(adam.states[0]!.squaredAverage.toArray(), [0.001])
    }

    func testAdamWDecaysTheParameterApart() throws {
        let p = try parameter([2])
        let adamW = try AdamW(parameters: [p], learningRate: 0.1, weightDecay: 0.5)
        try setGradient(p, [-1])
        try adamW.step()
        // p = 2 · (1 − 0.1·0.5) = 1.9; then m = −0.1, v = 0.001 from g = −1 alone:
        // p = 1.9 + 1 · 0.1 / (1 + 1e-8) = 2.0
        assertEqual(p.toArray(), [2])
        assertEqual(adamW.states[0]!.average.toArray(), [-0.1])
        try setGradient(p, [-1])
        try adamW.step()
        // p = 2 · 0.95 = 1.9; m = −0.09 − 0.1 = −0.19; v = 0.000999 + 0.001 = 0.001999
        // m / 0.19 = −1; √(0.001999 / 0.001999) = 1; p = 1.9 + 0.1 = 2.0
        assertEqual(p.toArray(), [2])
        assertEqual(adamW.states[0]!.average.toArray(), [-0.19])
        assertEqual(adamW.states[0]!.squaredAverage.toArray(), [0.001999])
        XCTAssertEqual(adamW.states[0]!.step, 2)
    }

    func testDefaults() throws {
        let adam = try Adam(parameters: [])
        XCTAssertEqual(adam.learningRate, 1e-3)
        XCTAssertEqual(adam.betas.0, 0.9)
        XCTAssertEqual(adam.betas.1, 0.999)
        XCTAssertEqual(adam.epsilon, 1e-8)
        XCTAssertEqual(adam.weightDecay, 0)
        XCTAssertEqual(try AdamW(parameters: []).weightDecay, 0.01)
    }

    func testParametersWithoutGradientAreSkipped() throws {
        let p = try parameter([1]), q = try parameter([3])
        // AdamW: even the decoupled decay must leave q alone.
        let adamW = try AdamW(parameters: [p, q], learningRate: 1, weightDecay: 0.5)
        try setGradient(p, [1])
        try adamW.step()
        XCTAssertEqual(q.toArray(), [3])
        XCTAssertNil(adamW.states[1])
        XCTAssertEqual(adamW.states[0]?.step, 1)
    }

    /// A run resumed from saved states must match the unbroken run bit for bit.
    func testRestoredStatesResumeExactly() throws {
        let gradients: [[Float]] = [[0.3, -1.2, 2], [0.7, 0.1, -0.4], [-0.5, 0.9, 1.1]]
        let unbroken = try parameter([1, -2, 0.5])
        let reference = try AdamW(parameters: [unbroken], learningRate: 0.01, weightDecay: 0.1)
        for g in gradients {
            try setGradient(unbroken, g)
            try reference.step()
        }

        let first = try parameter([1, -2, 0.5])
        let interrupted = try AdamW(parameters: [first], learningRate: 0.01, weightDecay: 0.1)
        for g in gradients.prefix(2) {
            try setGradient(first, g)
            try interrupted.step()
        }
        // What a checkpoint carries: the parameter values and copies of the state.
        let saved = interrupted.states.map { state in state.map { AdamState(step: $0.step, average: copy($0.average),
                                                                           squaredAverage: copy($0.squaredAverage)) } }
        let resumed = try parameter(first.toArray())
        let optimizer = try AdamW(parameters: [resumed], learningRate: 0.01, weightDecay: 0.1)
        try optimizer.restoreStates(saved)
        try setGradient(resumed, gradients[2])
        try optimizer.step()

        XCTAssertEqual(resumed.toArray(), unbroken.toArray())
        XCTAssertEqual(optimizer.states[0]!.average.toArray(), reference.states[0]!.average.toArray())
        XCTAssertEqual(optimizer.states[0]!.squaredAverage.toArray(), reference.states[0]!.squaredAverage.toArray())
        XCTAssertEqual(optimizer.states[0]!.step, 3)
    }

    func testBadSettings() {
        XCTAssertThrowsError(try Adam(parameters: [], learningRate: -1)) { error in
            XCTAssertEqual("\(error)", "Adam: learning rate, epsilon and weight decay must be non-negative, got -1.0, 1e-08, 0.0")
        }
        XCTAssertThrowsError(try AdamW(parameters: [], epsilon: -1e-8)) { error in
            XCTAssertEqual("\(error)", "AdamW: learning rate, epsilon and weight decay must be non-negative, got 0.001, -1e-08, 0.01")
        }
        XCTAssertThrowsError(try AdamW(parameters: [], betas: (0.9, 1))) { error in
            XCTAssertEqual("\(error)", "AdamW: betas must lie in [0, 1), got (0.9, 1.0)")
        }
        XCTAssertThrowsError(try Adam(parameters: [], betas: (-0.1, 0.999))) { error in
            XCTAssertEqual("\(error)", "Adam: betas must lie in [0, 1), got (-0.1, 0.999)")
        }
    }

    func testBadStatesRejected() throws {
        let p = try parameter([1, 2])
        let adam = try Adam(parameters: [p])
        XCTAssertThrowsError(try adam.restoreStates([])) { error in
            XCTAssertEqual("\(error)", "Adam: 0 states for 1 parameters")
        }
        let wrongShape = AdamState(step: 1, average: Tensor.zeros([3]), squaredAverage: Tensor.zeros([2]))
        XCTAssertThrowsError(try adam.restoreStates([wrongShape])) { error in
            XCTAssertEqual("\(error)", "Adam state: shapes [2] and [3] do not match")
        }
        let neverStepped = AdamState(step: 0, average: Tensor.zeros([2]), squaredAverage: Tensor.zeros([2]))
        XCTAssertThrowsError(try adam.restoreStates([neverStepped])) { error in
            XCTAssertEqual("\(error)", "Adam: a saved state must have taken at least 1 step, got 0")
        }
    }

    private func copy(_ tensor: Tensor) -> Tensor {
        let result = Tensor.zeros(tensor.shape)
        try! result.copyValues(from: tensor)
        return result
    }

    private func assertEqual(_ actual: [Float], _ expected: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-6 * max(1, abs(e)), file: file, line: line) }
    }
}
