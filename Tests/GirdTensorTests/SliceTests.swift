import XCTest
@testable import GirdTensor

final class SliceTests: XCTestCase {
    /// [[0 1 2 3 4 5], [6 7 8 9 10 11]]
    private func matrix() throws -> Tensor { try Tensor.arange(12, dtype: .float32).reshaped([2, 6]) }

    func testSliceWithStep() throws {
        let x = try matrix()
        let y = try x.sliced(axis: 1, start: 1, end: 5, step: 2)
        XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.toArray(), [1, 3, 7, 9])
        XCTAssertEqual(try x.sliced(axis: 0, start: 1).toArray(), [6, 7, 8, 9, 10, 11])
        XCTAssertEqual(try x.sliced(axis: 1, start: 4, step: 3).toArray(), [4, 10])
    }

    func testPythonBounds() throws {
        let x = try matrix()
        XCTAssertEqual(try x.sliced(axis: -1, start: -2).toArray(), [4, 5, 10, 11])
        XCTAssertEqual(try x.sliced(axis: 1, start: 4, end: 100).toArray(), [4, 5, 10, 11])
        XCTAssertEqual(try x.sliced(axis: 1, start: 0, end: -5).toArray(), [0, 6])
        let empty = try x.sliced(axis: 1, start: 4, end: 2)
        XCTAssertEqual(empty.shape, [2, 0])
    }

    func testNarrow() throws {
        XCTAssertEqual(try matrix().narrowed(axis: 1, start: 2, length: 3).toArray(), [2, 3, 4, 8, 9, 10])
        XCTAssertEqual(try matrix().narrowed(axis: 1, start: -2, length: 2).toArray(), [4, 5, 10, 11])
        XCTAssertThrowsError(try matrix().narrowed(axis: 1, start: 4, length: 3)) { error in
            XCTAssertEqual("\(error)", "narrow: start 4 and length 3 do not fit dimension 1 of shape [2, 6]")
        }
    }

    func testErrors() throws {
        XCTAssertThrowsError(try matrix().sliced(axis: 1, step: 0)) { error in
            XCTAssertEqual("\(error)", "slice: step must be positive, got 0")
        }
        XCTAssertThrowsError(try matrix().sliced(axis: 2)) { error in
            XCTAssertEqual("\(error)", "slice: dimension 2 is out of range for a tensor of rank 2")
        }
    }

    func testBackwardPutsGradientBack() throws {
        let x = try matrix().requiringGrad()
        try x.sliced(axis: 1, start: 1, end: 5, step: 2).sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0])
    }

    func testGradients() throws {
        try assertGradientsMatch([uniformTensor([3, 7, 2], seed: 1)]) { try $0[0].sliced(axis: 1, start: 1, end: 6, step: 2) }
        try assertGradientsMatch([uniformTensor([4, 3], seed: 2)]) { try $0[0].narrowed(axis: 0, start: 1, length: 2) }
    }
}
