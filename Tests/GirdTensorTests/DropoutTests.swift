import XCTest
@testable import GirdTensor

final class DropoutTests: XCTestCase {
    func testOffIsTheIdentity() throws {
        let x = Tensor.ones([4])
        let generator = RandomGenerator(seed: 1)
        XCTAssertTrue(try x.dropout(probability: 0.5, training: false, generator: generator) === x)
        XCTAssertTrue(try x.dropout(probability: 0, training: true, generator: generator) === x)
        XCTAssertEqual(generator.state.offset, 0)   // nothing drawn
    }

    func testInvertedScaling() throws {
        let n = 10_000
        let y = try Tensor.full([n], value: 3).dropout(probability: 0.25, training: true, generator: RandomGenerator(seed: 2))
        let values = y.toArray()
        // Survivors are scaled by 1/(1 − 0.25): 3 → 4.
        XCTAssertTrue(values.allSatisfy { $0 == 0 || $0 == 4 })
        // Kept fraction ≈ 0.75 (standard error 0.0043); the mean stays ≈ 3.
        XCTAssertEqual(Float(values.filter { $0 != 0 }.count) / Float(n), 0.75, accuracy: 0.02)
        XCTAssertEqual(values.reduce(0, +) / Float(n), 3, accuracy: 0.1)
        XCTAssertEqual(try Tensor.ones([5]).dropout(probability: 1, training: true, generator: RandomGenerator(seed: 2)).toArray(),
                       [0, 0, 0, 0, 0])
    }

    func testMaskFollowsTheGeneratorState() throws {
        let x = uniformTensor([64], seed: 3)
        let generator = RandomGenerator(seed: 4)
        let saved = generator.state
        let first = try x.dropout(probability: 0.5, training: true, generator: generator).toArray()
        let second = try x.dropout(probability: 0.5, training: true, generator: generator).toArray()
        XCTAssertNotEqual(first, second)   // the stream moved on
        XCTAssertEqual(generator.state.offset, saved.offset + 128)
        generator.state = saved
        XCTAssertEqual(try x.dropout(probability: 0.5, training: true, generator: generator).toArray(), first)
        XCTAssertEqual(try x.dropout(probability: 0.5, training: true, generator: RandomGenerator(seed: 4)).toArray(), first)
    }

    func testGradientIsTheMask() throws {
        let x = try Tensor.ones([32]).requiringGrad()
        let y = try x.dropout(probability: 0.5, training: true, generator: RandomGenerator(seed: 5))
        try y.sum().backward()
        XCTAssertEqual(x.grad?.toArray(), y.toArray())   // x = 1, so y is the mask
        try assertGradientsMatch([uniformTensor([3, 4], seed: 6)]) {
            try $0[0].dropout(probability: 0.3, training: true, generator: RandomGenerator(seed: 7))
        }
    }

    func testBadProbability() {
        XCTAssertThrowsError(try Tensor.ones([2]).dropout(probability: 1.5, training: true, generator: RandomGenerator(seed: 1))) { error in
            XCTAssertEqual("\(error)", "dropout: probability must be in [0, 1], got 1.5")
        }
    }
}
