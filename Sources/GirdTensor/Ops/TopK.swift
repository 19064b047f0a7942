/// The k largest (or smallest) elements along an axis, as `torch.topk`,
/// sorted: largest first (smallest first when `largest` is false). Equal
/// values keep their order (the lower index first); NaN ranks above every
/// number. The values are gathered at the indices, so the gradient flows
/// through `gather`'s backward to exactly the chosen positions.
extension Tensor {
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "topk", expected: .float32, got: dtype) }
        guard rank > 0 else {
            throw TensorError.invalidArgument(op: "topk", message: "needs a tensor of rank at least 1, got a scalar")
        }
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: "topk")
        let split = AxisSplit(shape, axis: dimension)
        guard k >= 0, k <= split.size else {
            throw TensorError.invalidArgument(
                op: "topk", message: "k = \(k) is out of range for dimension \(dimension) of size \(split.size)")
        }
        var outShape = shape
        outShape[dimension] = k
        let indices = Tensor.zeros(outShape, dtype: .int64)
        let values = plain().floats, picks = indices.mutableIndices
        var order = [Int](repeating: 0, count: split.size)
        // True when position a belongs before position b in the result.
        func precedes(_ a: Int, _ b: Int, _ x: Float, _ y: Float) -> Bool {
            if x.isNaN || y.isNaN { return x.isNaN && y.isNaN ? a < b : (largest ? x.isNaN : y.isNaN) }
            if x != y { return largest ? x > y : x < y }
            return a < b
        }
        for outer in 0..<split.outer {
            for inner in 0..<split.inner {
                let base = outer * split.size * split.inner + inner
                for j in 0..<split.size { order[j] = j }
                order.sort { precedes($0, $1, values[base + $0 * split.inner], values[base + $1 * split.inner]) }
                let out = outer * k * split.inner + inner
                for j in 0..<k { picks[out + j * split.inner] = Int64(order[j]) }
            }
        }
        return (try gather(axis: dimension, indices: indices), indices)
    }
}
