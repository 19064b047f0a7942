import XCTest
@testable import GirdTensor

final class ArithmeticTests: XCTestCase {
    func testBroadcastAddValues() throws {
        let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3], values: [10, 20, 30])
        XCTAssertEqual(try (a + b).toArray(), [11, 22, 33, 14, 25, 36])
        let column = try Tensor(shape: [2, 1], values: [100, 200])
        XCTAssertEqual(try (a * column).toArray(), [100, 200, 300, 800, 1000, 1200])
        XCTAssertEqual(try (a - 1).toArray(), [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try (1 / a).shape, [2, 3])
    }

    func testBroadcastBothWays() throws {
        let a = try Tensor(shape: [3, 1], values: [1, 2, 3])
        let b = try Tensor(shape: [1, 2], values: [10, 20])
        let c = try a * b
        XCTAssertEqual(c.shape, [3, 2])
        XCTAssertEqual(c.toArray(), [10, 20, 20, 40, 30, 60])
    }

    func testShapeMismatchNamesOpAndShapes() {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4])
        XCTAssertThrowsError(try a + b) { error in
            XCTAssertEqual(error as? TensorError, .shapeMismatch(op: "add", lhs: [2, 3], rhs: [4]))
            XCTAssertEqual("\(error)", "add: shapes [2, 3] and [4] do not match")
        }
    }

    func testDtypeMismatch() throws {
        let labels = try Tensor(shape: [2], indices: [1, 2])
        XCTAssertThrowsError(try labels + Tensor.zeros([2])) { error in
            XCTAssertEqual(error as? TensorError, .dtypeMismatch(op: "add", expected: .float32, got: .int64))
        }
    }

    func testBinaryGradients() throws {
        let a = uniformTensor([2, 3, 4], seed: 1), b = uniformTensor([3, 1], seed: 2, low: 0.5, high: 2)
        try assertGradientsMatch([a, b]) { try $0[0] + $0[1] }
        try assertGradientsMatch([a, b]) { try $0[0] - $0[1] }
        try assertGradientsMatch([a, b]) { try $0[0] * $0[1] }
        try assertGradientsMatch([a, b]) { try $0[0] / $0[1] }
        try assertGradientsMatch([b, a]) { try $0[0] / ($0[1].square() + 0.5) }
        try assertGradientsMatch([uniformTensor([4], seed: 3, low: 0.5, high: 2), uniformTensor([4], seed: 4)]) {
            try $0[0].pow($0[1])
        }
    }

    func testMaximumSendsGradientToLarger() throws {
        let a = try Tensor(shape: [3], values: [1, 5, 2]).requiringGrad()
        let b = try Tensor(shape: [3], values: [4, 0, 2]).requiringGrad()
        try Tensor.maximum(a, b).sum().backward()
        XCTAssertEqual(a.grad?.toArray(), [0, 1, 1])
        XCTAssertEqual(b.grad?.toArray(), [1, 0, 0])
    }

    func testUnaryValues() throws {
        let x = try Tensor(shape: [4], values: [-2, -0.5, 0, 3])
        XCTAssertEqual(try x.relu().toArray(), [0, 0, 0, 3])
        XCTAssertEqual(try (x * 3).relu6().toArray(), [0, 0, 0, 6])
        XCTAssertEqual(try x.abs().toArray(), [2, 0.5, 0, 3])
        assertClose(try x.exp().toArray(), [0.13533528, 0.60653066, 1, 20.085537])
        assertClose(try x.tanh().toArray(), [-0.9640276, -0.46211716, 0, 0.9950548])
        assertClose(try x.sigmoid().toArray(), [0.11920292, 0.37754068, 0.5, 0.95257413])
        assertClose(try (x.abs() + 1).log().toArray(), [1.0986123, 0.4054651, 0, 1.3862944])
        XCTAssertEqual(try x.clamp(min: -1, max: 1).toArray(), [-1, -0.5, 0, 1])
    }

    func testUnaryGradients() throws {
        let x = uniformTensor([3, 4], seed: 5)
        let positive = uniformTensor([3, 4], seed: 6, low: 0.2, high: 3)
        try assertGradientsMatch([x]) { try -$0[0] }
        try assertGradientsMatch([x]) { try $0[0].exp() }
        try assertGradientsMatch([positive]) { try $0[0].log() }
        try assertGradientsMatch([positive]) { try $0[0].sqrt() }
        try assertGradientsMatch([x]) { try $0[0].square() }
        try assertGradientsMatch([positive]) { try $0[0].pow(1.5) }
        try assertGradientsMatch([x]) { try $0[0].tanh() }
        try assertGradientsMatch([x]) { try $0[0].sigmoid() }
        // Kinks: keep points away from them by more than eps.
        let away = try Tensor(shape: [6], values: [-3, -0.5, 0.3, 2, 5.5, 7])
        try assertGradientsMatch([away]) { try $0[0].relu() }
        try assertGradientsMatch([away]) { try $0[0].relu6() }
        try assertGradientsMatch([away]) { try $0[0].abs() }
        try assertGradientsMatch([away]) { try $0[0].clamp(min: -1, max: 3) }
    }

    func testNonFiniteCount() throws {
        let x = try Tensor(shape: [4], values: [1, .nan, .infinity, -2])
        XCTAssertEqual(x.nonFiniteCount(), 2)
        XCTAssertFalse(x.isFinite)
        XCTAssertTrue(try Tensor(shape: [2], values: [1, 2]).isFinite)
    }
}
