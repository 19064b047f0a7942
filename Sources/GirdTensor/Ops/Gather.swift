/// Picking elements by int64 indices along one axis: `torch.gather` (an
/// index per output element) and `torch.index_select` (whole slices). Every
/// index is checked before anything is read. The backward adds the gradient
/// back at the indices it came from, so repeated indices accumulate.
extension Tensor {
    /// `result[..., j, ...] = self[..., indices[..., j, ...], ...]` along
    /// `axis`, as `torch.gather`: `indices` has the rank of `self`, is no
    /// larger on any other axis, and gives the result its shape.
    public func gather(axis: Int, indices: Tensor) throws -> Tensor {
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: "gather")
        guard indices.dtype == .int64 else { throw TensorError.dtypeMismatch(op: "gather", expected: .int64, got: indices.dtype) }
        guard indices.rank == rank,
              zip(indices.shape, shape).enumerated().allSatisfy({ $0.offset == dimension || $0.element.0 <= $0.element.1 }) else {
            throw TensorError.invalidArgument(
                op: "gather",
                message: "indices of shape \(formatShape(indices.shape)) do not fit a tensor of shape \(formatShape(shape)) along dimension \(dimension)")
        }
        let size = rank > 0 ? shape[dimension] : 1
        try Tensor.checkIndices(indices, below: size, dimension: dimension, op: "gather")

        let source = plain()
        let result = Tensor.uninitialized(indices.shape, dtype: dtype)
        switch dtype {
        case .float32:
            let x = source.floats, out = result.mutableFloats
            Tensor.walkGather(indices: indices, sourceShape: shape, axis: dimension) { out[$0] = x[$1] }
        case .int64:
            let x = source.indices, out = result.mutableIndices
            Tensor.walkGather(indices: indices, sourceShape: shape, axis: dimension) { out[$0] = x[$1] }
        }
        let inputShape = shape
        return result.recorded("gather", [self]) { g in
            let gradient = Tensor.zeros(inputShape)
            let dx = gradient.mutableFloats, dy = g.plain().floats
            Tensor.walkGather(indices: indices, sourceShape: inputShape, axis: dimension) { dx[$1] += dy[$0] }
            return [gradient]
        }
    }

    /// The slices of `self` at `indices` (a 1-D int64 tensor) along `axis`,
    /// in that order, as `torch.index_select`. Works on int64 tensors too.
    public func indexSelect(axis: Int, indices: Tensor) throws -> Tensor {
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: "indexSelect")
        guard indices.dtype == .int64 else { throw TensorError.dtypeMismatch(op: "indexSelect", expected: .int64, got: indices.dtype) }
        guard indices.rank == 1, rank > 0 else {
            throw TensorError.invalidArgument(
                op: "indexSelect",
                message: "needs 1-D indices and a tensor of rank at least 1, got \(formatShape(indices.shape)) and \(formatShape(shape))")
        }
        try Tensor.checkIndices(indices, below: shape[dimension], dimension: dimension, op: "indexSelect")

        var outShape = shape
        outShape[dimension] = indices.count
        let split = AxisSplit(shape, axis: dimension), picks = indices.indices
        let source = plain()
        let result = Tensor.uninitialized(outShape, dtype: dtype)
        let rowBytes = split.inner * dtype.byteSize
        for outer in 0..<split.outer {
            for (position, index) in picks.enumerated() {
                let from = (outer * split.size + Int(index)) * rowBytes
                let to = (outer * picks.count + position) * rowBytes
                (result.storage.pointer + to).copyMemory(from: source.storage.pointer + from, byteCount: rowBytes)
            }
        }
        let inputShape = shape
        return result.recorded("indexSelect", [self]) { g in
            let gradient = Tensor.zeros(inputShape), upstream = g.plain()
            let dx = gradient.mutableFloats, dy = upstream.floats, picks = indices.indices
            for outer in 0..<split.outer {
                for (position, index) in picks.enumerated() {
                    let from = (outer * picks.count + position) * split.inner
                    let to = (outer * split.size + Int(index)) * split.inner
                    for i in 0..<split.inner { dx[to + i] += dy[from + i] }
                }
            }
            return [gradient]
        }
    }

    /// Throws, naming the first offending index, unless every index is in
    /// 0..<size (negative indices are not accepted, as in PyTorch).
    static func checkIndices(_ indices: Tensor, below size: Int, dimension: Int, op: String) throws {
        if let bad = indices.indices.first(where: { $0 < 0 || $0 >= size }) {
            throw TensorError.invalidArgument(
                op: op, message: "index \(bad) is out of range for dimension \(dimension) of size \(size)")
        }
    }

    /// Calls `body(resultOffset, sourceOffset)` for every element of a
    /// gather: the result (and `indices`) are walked in row-major order; the
    /// source offset is the result's position with the axis coordinate
    /// replaced by the index found there.
    private static func walkGather(indices: Tensor, sourceShape: [Int], axis: Int,
                                   _ body: (_ resultOffset: Int, _ sourceOffset: Int) -> Void) {
        guard indices.count > 0 else { return }
        var sourceStrides = ShapeRules.strides(sourceShape)
        let axisStride = sourceShape.isEmpty ? 0 : sourceStrides[axis]
        if !sourceShape.isEmpty { sourceStrides[axis] = 0 }
        let loop = StridedLoop(shape: indices.shape, operandStrides: [ShapeRules.strides(indices.shape), sourceStrides])
        let length = loop.rowLength, si = loop.rowStride(0), ss = loop.rowStride(1)
        let picks = indices.indices
        loop.forEachRow { _, offsets in
            for j in 0..<length {
                let position = offsets[0] + j * si
                body(position, offsets[1] + j * ss + Int(picks[position]) * axisStride)
            }
        }
    }
}
