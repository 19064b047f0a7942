import XCTest
@testable import GirdTensor

final class IndexCopyTests: XCTestCase {
    func testOverwritesOnlyTheGivenRows() throws {
        let bank = try Tensor(shape: [4, 2], values: [0, 1, 2, 3, 4, 5, 6, 7])
        try bank.indexCopy(rows: [3, 1], from: try Tensor(shape: [2, 2], values: [-1, -2, -3, -4]))
        XCTAssertEqual(bank.toArray(), [0, 1, -3, -4, 4, 5, -1, -2])
    }

    func testRejectsBadShapesAndIndices() throws {
        let bank = Tensor.zeros([3, 2])
        XCTAssertThrowsError(try bank.indexCopy(rows: [0], from: Tensor.zeros([1, 3])))
        XCTAssertThrowsError(try bank.indexCopy(rows: [3], from: Tensor.zeros([1, 2]))) { error in
            XCTAssertEqual("\(error)", "\(TensorError.invalidArgument(op: "indexCopy", message: "index 3 is out of range for dimension 0 of size 3"))")
        }
    }
}
