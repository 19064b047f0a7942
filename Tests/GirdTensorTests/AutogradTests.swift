import XCTest
@testable import GirdTensor

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateAcrossBackwards() throws {
        let x = try Tensor(shape: [2], values: [1, 2]).requiringGrad()
        let y = try (x * x).sum()       // dy/dx = 2x
        try y.backward()
        XCTAssertEqual(x.grad?.toArray(), [2, 4])
        try y.backward()
        XCTAssertEqual(x.grad?.toArray(), [4, 8])
        x.clearGrad()
        XCTAssertNil(x.grad)
    }

    func testSharedSubexpressionSumsBothPaths() throws {
        let x = try Tensor(shape: [1], values: [3]).requiringGrad()
        let h = try x * 2
        let y = try (h * h + h).sum()   // y = 4x² + 2x, dy/dx = 8x + 2 = 26
        try y.backward()
        XCTAssertEqual(x.grad?.toArray(), [26])
    }

    func testDetachStopsGradient() throws {
        let x = try Tensor(shape: [2], values: [1, 2]).requiringGrad()
        let y = try (x * x.detach()).sum()   // only the first factor counts: dy/dx = x
        try y.backward()
        XCTAssertEqual(x.grad?.toArray(), [1, 2])
    }

    func testNoGradientScopeRecordsNothing() throws {
        let x = try Tensor(shape: [2], values: [1, 2]).requiringGrad()
        let y = try GradMode.withoutGradient { try x * 3 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.isLeaf)
        XCTAssertThrowsError(try y.sum().backward())
        XCTAssertTrue(try (x * 3).requiresGrad)
    }

    func testNonScalarNeedsSeed() throws {
        let x = try Tensor(shape: [2], values: [1, 2]).requiringGrad()
        let y = try x * 3
        XCTAssertThrowsError(try y.backward()) { error in
            XCTAssertEqual("\(error)", "backward: a seed gradient is needed for a tensor of shape [2]")
        }
        try y.backward(Tensor(shape: [2], values: [1, 10]))
        XCTAssertEqual(x.grad?.toArray(), [3, 30])
    }

    func testOnlyLeavesCanBeMarked() throws {
        let x = try Tensor(shape: [1], values: [1]).requiringGrad()
        XCTAssertThrowsError(try (x * 2).requiringGrad())
        XCTAssertThrowsError(try Tensor(shape: [1], indices: [1]).requiringGrad())
    }

    func testDeepChainDoesNotOverflowTheStack() throws {
        let x = try Tensor(shape: [1], values: [1]).requiringGrad()
        var y = x
        for _ in 0..<20_000 { y = try y + 0 }
        try y.sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [1])
    }
}
