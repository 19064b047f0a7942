import Testing
@testable import GirdTensor

/// The thread setting and determinism across runs (Swift Testing).
@Suite(.serialized) struct ComputeThreadsTests {
    @Test func rejectsZeroThreads() {
        #expect(throws: TensorError.invalidArgument(op: "threads", message: "thread count must be at least 1, got 0")) {
            try ComputeThreads.set(0)
        }
    }

    @Test(arguments: [1, 2])
    func matmulIsBitIdenticalAcrossRuns(threads: Int) throws {
        try ComputeThreads.set(threads)
        defer { try? ComputeThreads.set(ComputeThreads.defaultCount) }
        let a = uniformTensor([300, 200], seed: 1), b = uniformTensor([200, 250], seed: 2)
        let first = try Tensor.matmul(a, b).sum(axes: [1]).toArray()
        let second = try Tensor.matmul(a, b).sum(axes: [1]).toArray()
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
    }

    @Test func cpuFeaturesNameAKernel() {
        // Every machine this project runs on has at least AVX2 + FMA.
        #expect(CPUFeatures.bestOpenBLASKernel != nil)
    }
}
