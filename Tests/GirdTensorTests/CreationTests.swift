import XCTest
@testable import GirdTensor

final class CreationTests: XCTestCase {
    func testRandomTensorsHaveTheirShape() throws {
        let generator = RandomGenerator(seed: 1)
        XCTAssertEqual(try Tensor.rand([2, 3], generator: generator).shape, [2, 3])
        XCTAssertEqual(try Tensor.randn([4, 0], generator: generator).count, 0)
        XCTAssertEqual(try Tensor.randn([], generator: generator).shape, [])
        XCTAssertThrowsError(try Tensor.randn([2, -1], generator: generator)) { error in
            XCTAssertEqual("\(error)", "randn: negative size in shape [2, -1]")
        }
    }

    func testRandnOddCountUsesWholePairs() throws {
        // Three normals are two Box–Muller pairs: the first three of four.
        let four = try Tensor.randn([4], generator: RandomGenerator(seed: 8)).toArray()
        let generator = RandomGenerator(seed: 8)
        XCTAssertEqual(try Tensor.randn([3], generator: generator).toArray(), Array(four[..<3]))
        XCTAssertEqual(generator.state.offset, 4)
    }

    func testArange() throws {
        XCTAssertEqual(try Tensor.arange(5).toIndices(), [0, 1, 2, 3, 4])
        XCTAssertEqual(try Tensor.arange(3, dtype: .float32).toArray(), [0, 1, 2])
        XCTAssertEqual(try Tensor.arange(0).shape, [0])
        XCTAssertEqual(try Tensor.arange(from: 1, to: 2, step: 0.25).toArray(), [1, 1.25, 1.5, 1.75])
        // ceil((1 - 0) / 0.3) = 4 values.
        assertClose(try Tensor.arange(from: 0, to: 1, step: 0.3).toArray(), [0, 0.3, 0.6, 0.9])
        XCTAssertEqual(try Tensor.arange(from: 3, to: 0, step: -1).toArray(), [3, 2, 1])
        XCTAssertEqual(try Tensor.arange(from: 2, to: 2).count, 0)
        XCTAssertThrowsError(try Tensor.arange(from: 0, to: 1, step: 0)) { error in
            XCTAssertEqual("\(error)", "arange: start, end and step must be finite and step non-zero, got 0.0, 1.0, 0.0")
        }
        XCTAssertThrowsError(try Tensor.arange(from: 0, to: 3, step: -1)) { error in
            XCTAssertEqual("\(error)", "arange: step -1.0 does not lead from 0.0 to 3.0")
        }
    }

    func testRandomPermutation() throws {
        let permutation = try Tensor.randomPermutation(20, generator: RandomGenerator(seed: 2))
        XCTAssertEqual(permutation.dtype, .int64)
        XCTAssertEqual(permutation.toIndices().sorted(), (0..<20).map(Int64.init))
        XCTAssertEqual(try Tensor.randomPermutation(20, generator: RandomGenerator(seed: 2)).toIndices(), permutation.toIndices())
        XCTAssertEqual(permutation.toIndices().map(Int.init), RandomGenerator(seed: 2).permutation(20))
    }

    func testFilledChecksTheMachinesMemoryAndThrows() throws {
        XCTAssertEqual(try Tensor.filled([2, 3], value: 1.5, what: "full").toArray(), [Float](repeating: 1.5, count: 6))
        XCTAssertEqual(try Tensor.filled([0, 4], value: 0, what: "zeros").shape, [0, 4])
        let machine = MemoryLimit.describe(bytes: MemoryLimit.physicalBytes)
        XCTAssertThrowsError(try Tensor.filled([1 << 20, 1 << 20], value: 0, what: "zeros(): shape [1048576, 1048576]")) { error in
            XCTAssertEqual("\(error)", "zeros(): shape [1048576, 1048576] needs 4.0 TiB, more than this machine's \(machine) of memory")
        }
        XCTAssertThrowsError(try Tensor.filled([1 << 40, 1 << 40], value: 0, what: "zeros")) { error in
            XCTAssertEqual("\(error)", "zeros needs more bytes than a 64-bit size holds, more than this machine's \(machine) of memory")
        }
        XCTAssertThrowsError(try Tensor.randn([1 << 20, 1 << 20], generator: RandomGenerator(seed: 0))) { error in
            XCTAssertEqual("\(error)", "randn: shape [1048576, 1048576] needs 4.0 TiB, more than this machine's \(machine) of memory")
        }
        XCTAssertThrowsError(try Tensor.arange(1 << 62)) { error in
            XCTAssertEqual("\(error)", "arange: 4611686018427387904 values needs more bytes than a 64-bit size holds, more than this machine's \(machine) of memory")
        }
    }

    func testAnAllocationRefusedByTheSystemThrows() {
        // Passes no MemoryLimit check on purpose: what posix_memalign refuses
        // (an address space no machine has) is an error, not an abort.
        XCTAssertThrowsError(try TensorStorage(checkedByteCount: Int.max / 2, what: "a test")) { error in
            XCTAssertEqual("\(error)", "a test: cannot allocate 4.0 EiB: out of memory")
        }
    }
}
