import XCTest
@testable import GirdTensor

final class IndexedRowDotTests: XCTestCase {
    func testValuesByHand() throws {
        let rows = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let bank = try Tensor(shape: [3, 2], values: [1, 0, 0, 1, 1, 1])
        let indices = try Tensor(shape: [2, 3], indices: [2, 0, 0, 1, 2, 1])
        let result = try rows.indexedRowDot(bank: bank, indices: indices)
        XCTAssertEqual(result.shape, [2, 3])
        XCTAssertEqual(result.toArray(), [3, 1, 1, 4, 7, 4])
    }

    func testGradientsMatchFiniteDifferences() throws {
        let generator = RandomGenerator(seed: 3)
        let rows = try Tensor.randn([3, 5], generator: generator)
        let bank = try Tensor.randn([4, 5], generator: generator)
        let indices = try Tensor(shape: [3, 4], indices: [0, 3, 3, 1, 2, 2, 0, 1, 3, 0, 1, 2])
        try assertGradientsMatch([rows, bank]) { try $0[0].indexedRowDot(bank: $0[1], indices: indices) }
    }

    /// Rows wider than one 16-lane block, with a remainder, and a repeated index.
    func testWideRowsGradientsMatchFiniteDifferences() throws {
        let generator = RandomGenerator(seed: 4)
        let rows = try Tensor.randn([2, 21], generator: generator)
        let bank = try Tensor.randn([3, 21], generator: generator)
        let indices = try Tensor(shape: [2, 3], indices: [2, 0, 2, 1, 1, 0])
        try assertGradientsMatch([rows, bank]) { try $0[0].indexedRowDot(bank: $0[1], indices: indices) }
    }

    func testRejectsAnIndexOutsideTheBank() throws {
        let rows = Tensor.zeros([1, 2]), bank = Tensor.zeros([3, 2])
        XCTAssertThrowsError(try rows.indexedRowDot(bank: bank, indices: try Tensor(shape: [1, 1], indices: [3]))) { error in
            XCTAssertEqual("\(error)", "\(TensorError.invalidArgument(op: "indexedRowDot", message: "index 3 is out of range for dimension 0 of size 3"))")
        }
    }
}
