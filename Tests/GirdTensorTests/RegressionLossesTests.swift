import XCTest
@testable import GirdTensor

final class RegressionLossesTests: XCTestCase {
    func testMSEByHand() throws {
        // Differences [0, 2, −3]: squares [0, 4, 9], sum 13, mean 13/3.
        let input = try Tensor(shape: [3], values: [1, 2, 3]), target = try Tensor(shape: [3], values: [1, 0, 6])
        assertClose([try Tensor.mseLoss(input, target).item()], [4.333_333_3])
        XCTAssertEqual(try Tensor.mseLoss(input, target, reduction: .sum).item(), 13)
        XCTAssertEqual(try Tensor.mseLoss(input, target, reduction: .none).toArray(), [0, 4, 9])
    }

    func testHuberByHand() throws {
        // Differences [0.5, −2, 3]. δ = 1: 0.5·0.25 = 0.125, 1·(2 − 0.5) = 1.5,
        // 1·(3 − 0.5) = 2.5; mean 4.125/3 = 1.375.
        // δ = 2: 0.125, 0.5·4 = 2 (|x| = δ is quadratic), 2·(3 − 1) = 4.
        let input = try Tensor(shape: [3], values: [1.5, 0, 3]), target = try Tensor(shape: [3], values: [1, 2, 0])
        XCTAssertEqual(try Tensor.huberLoss(input, target, reduction: .none).toArray(), [0.125, 1.5, 2.5])
        XCTAssertEqual(try Tensor.huberLoss(input, target).item(), 1.375)
        XCTAssertEqual(try Tensor.huberLoss(input, target, delta: 2, reduction: .none).toArray(), [0.125, 2, 4])
        // Smooth L1: β = 1 is Huber with δ = 1; β = 2 is Huber(δ = 2)/2; β = 0 is L1.
        XCTAssertEqual(try Tensor.smoothL1Loss(input, target, reduction: .none).toArray(), [0.125, 1.5, 2.5])
        XCTAssertEqual(try Tensor.smoothL1Loss(input, target, beta: 2, reduction: .none).toArray(), [0.0625, 1, 2])
        XCTAssertEqual(try Tensor.smoothL1Loss(input, target, beta: 0, reduction: .sum).item(), 5.5)
    }

    func testHuberGradientIsClampedDifference() throws {
        let input = try Tensor(shape: [3], values: [1.5, 0, 3]).requiringGrad()
        try Tensor.huberLoss(input, Tensor(shape: [3], values: [1, 2, 0]), reduction: .sum).backward()
        XCTAssertEqual(input.grad?.toArray(), [0.5, -1, 1])
    }

    func testShapeMismatch() {
        XCTAssertThrowsError(try Tensor.mseLoss(Tensor.zeros([3]), Tensor.zeros([2]))) { error in
            XCTAssertEqual("\(error)", "mseLoss: shapes [3] and [2] do not match")
        }
        XCTAssertThrowsError(try Tensor.huberLoss(Tensor.zeros([3]), Tensor.zeros([3]), delta: 0)) { error in
            XCTAssertEqual("\(error)", "huberLoss: delta must be positive, got 0.0")
        }
    }

    func testGradients() throws {
        let a = uniformTensor([2, 3], seed: 1), b = uniformTensor([2, 3], seed: 2)
        try assertGradientsMatch([a, b]) { try Tensor.mseLoss($0[0], $0[1]) }
        try assertGradientsMatch([a, b]) { try Tensor.mseLoss($0[0], $0[1], reduction: .none) }
        // Differences on both sides of δ = 1, none within eps of ±1 or 0.
        let input = try Tensor(shape: [6], values: [0.3, -0.6, 2.5, -1.8, 0.9, 4])
        let target = try Tensor(shape: [6], values: [0, 0, 0, 0, -0.5, 1])
        try assertGradientsMatch([input, target]) { try Tensor.huberLoss($0[0], $0[1]) }
        try assertGradientsMatch([input, target]) { try Tensor.smoothL1Loss($0[0], $0[1], beta: 0.5, reduction: .sum) }
    }
}
