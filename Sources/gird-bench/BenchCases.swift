import GirdTensor

/// The cases `gird-bench` runs; `scripts/bench-vs-pytorch` mirrors them by name.
enum BenchCases {
    static func all(quick: Bool) -> [BenchCase] {
        let size = quick ? 256 : 1024
        return [
            BenchCase(name: "sgemm \(size)^3", flops: 2 * Double(size * size * size)) {
                let a = Tensor.full([size, size], value: 0.5), b = Tensor.full([size, size], value: 0.25)
                return { _ = try a.matmul(b) }
            },
        ]
    }
}
