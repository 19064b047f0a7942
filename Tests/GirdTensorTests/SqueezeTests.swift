import XCTest
@testable import GirdTensor

final class SqueezeTests: XCTestCase {
    func testShapes() throws {
        let x = Tensor.zeros([2, 1, 3, 1])
        XCTAssertEqual(try x.squeezed().shape, [2, 3])
        XCTAssertEqual(try x.squeezed(axis: 1).shape, [2, 3, 1])
        XCTAssertEqual(try x.squeezed(axis: -1).shape, [2, 1, 3])
        XCTAssertEqual(try x.squeezed(axis: 0).shape, [2, 1, 3, 1])   // size 2: unchanged, as PyTorch
        XCTAssertEqual(try x.unsqueezed(axis: 0).shape, [1, 2, 1, 3, 1])
        XCTAssertEqual(try x.unsqueezed(axis: -1).shape, [2, 1, 3, 1, 1])
        XCTAssertEqual(try Tensor(2).unsqueezed(axis: 0).shape, [1])
        XCTAssertEqual(try Tensor.zeros([1, 1]).squeezed().shape, [])
        XCTAssertThrowsError(try x.unsqueezed(axis: 5)) { error in
            XCTAssertEqual("\(error)", "unsqueeze: dimension 5 is out of range for a tensor of rank 5")
        }
    }

    func testValuesAndGradients() throws {
        let x = try Tensor(shape: [3, 1], values: [1, 2, 3])
        XCTAssertEqual(try x.squeezed(axis: 1).toArray(), [1, 2, 3])
        try assertGradientsMatch([uniformTensor([2, 1, 3], seed: 1)]) { try $0[0].squeezed(axis: 1) }
        try assertGradientsMatch([uniformTensor([2, 3], seed: 2)]) { try $0[0].unsqueezed(axis: 1) }
    }
}
