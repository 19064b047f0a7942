import XCTest
@testable import GirdTensor

final class CopyAllTests: XCTestCase {
    func testCopiesEveryPair() throws {
        let a = Tensor.zeros([2]), b = Tensor.zeros([], dtype: .int64)
        try Tensor.copyValues([(a, try Tensor(shape: [2], values: [1, 2])), (b, try Tensor(shape: [], indices: [9]))])
        XCTAssertEqual(a.toArray(), [1, 2])
        XCTAssertEqual(b.toIndices(), [9])
    }

    func testARefusedPairLeavesEveryDestinationUnchanged() throws {
        let a = Tensor.zeros([2]), b = Tensor.zeros([3])
        XCTAssertThrowsError(try Tensor.copyValues([(a, Tensor.ones([2])), (b, Tensor.ones([4]))])) { error in
            XCTAssertEqual("\(error)", "copyValues: shapes [3] and [4] do not match")
        }
        XCTAssertThrowsError(try Tensor.copyValues([(a, Tensor.ones([2])), (b, Tensor.zeros([3], dtype: .int64))])) { error in
            XCTAssertEqual("\(error)", "copyValues: expected a float32 tensor, got int64")
        }
        XCTAssertEqual(a.toArray(), [0, 0])
        XCTAssertEqual(b.toArray(), [0, 0, 0])
    }
}
