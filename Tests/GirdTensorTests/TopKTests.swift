import XCTest
@testable import GirdTensor

final class TopKTests: XCTestCase {
    func testLargestFirstTiesByIndex() throws {
        let x = try Tensor(shape: [5], values: [1, 3, 2, 3, 0])
        let top2 = try x.topk(2)
        XCTAssertEqual(top2.values.toArray(), [3, 3])
        XCTAssertEqual(top2.indices.toIndices(), [1, 3])
        let top3 = try x.topk(3)
        XCTAssertEqual(top3.values.toArray(), [3, 3, 2])
        XCTAssertEqual(top3.indices.toIndices(), [1, 3, 2])
        let bottom2 = try x.topk(2, largest: false)
        XCTAssertEqual(bottom2.values.toArray(), [0, 1])
        XCTAssertEqual(bottom2.indices.toIndices(), [4, 0])
        XCTAssertEqual(try x.topk(0).values.shape, [0])
    }

    func testAlongAnInnerAxis() throws {
        // Columns [4, 1, 9], [2, 8, 5]: top 2 of each along axis 0.
        let x = try Tensor(shape: [3, 2], values: [4, 2, 1, 8, 9, 5])
        let (values, indices) = try x.topk(2, axis: 0)
        XCTAssertEqual(values.shape, [2, 2])
        XCTAssertEqual(values.toArray(), [9, 8, 4, 5])
        XCTAssertEqual(indices.toIndices(), [2, 1, 0, 2])
    }

    func testTopFiveOfLogits() throws {
        // Top-5 accuracy: is the label among the five largest logits?
        let logits = try Tensor(shape: [2, 7], values: [0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.5,
                                                        7, 6, 5, 4, 3, 2, 1])
        XCTAssertEqual(try logits.topk(5, axis: 1).indices.toIndices(), [1, 5, 3, 6, 2, 0, 1, 2, 3, 4])
    }

    func testNaNRanksFirst() throws {
        let x = try Tensor(shape: [3], values: [1, .nan, 2])
        XCTAssertEqual(try x.topk(2).indices.toIndices(), [1, 2])
        XCTAssertEqual(try x.topk(2, largest: false).indices.toIndices(), [0, 2])
    }

    func testErrors() {
        XCTAssertThrowsError(try Tensor.zeros([2, 5]).topk(6)) { error in
            XCTAssertEqual("\(error)", "topk: k = 6 is out of range for dimension 1 of size 5")
        }
        XCTAssertThrowsError(try Tensor(1).topk(1))
    }

    func testGradients() throws {
        let x = try Tensor(shape: [2, 4], values: [0.5, -0.3, 0.9, 0.1, -0.8, 0.4, 0.0, 1.1])
        try assertGradientsMatch([x]) { try $0[0].topk(2, axis: 1).values }
        try assertGradientsMatch([x]) { try $0[0].topk(1, axis: 0, largest: false).values }
        let leaf = try Tensor(shape: [4], values: [0.5, -0.3, 0.9, 0.1]).requiringGrad()
        try leaf.topk(2).values.sum().backward()
        XCTAssertEqual(leaf.grad?.toArray(), [1, 0, 1, 0])
    }
}
