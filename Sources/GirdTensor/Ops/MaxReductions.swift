/// The largest (or smallest) element along an axis, where it is, and its
/// smooth relative logsumexp.
///
/// Ties go to the first position, and NaN counts as larger than any number
/// (so a NaN propagates, as in PyTorch). The values are gathered at the
/// indices found, so the gradient flows through `gather`'s backward: all of
/// it to that one first extreme position. (PyTorch's whole-tensor `max()`
/// splits it evenly between ties instead; here every form behaves alike.)
extension Tensor {
    /// The maxima along `axis`, as `torch.amax(x, dim)` / `torch.max(x, dim).values`.
    public func max(axis: Int, keepingDimensions: Bool = false) throws -> Tensor {
        try extremum(axis: axis, largest: true, keepingDimensions: keepingDimensions, op: "max").values
    }

    /// The maxima along `axis` and their first positions (int64), as `torch.max(x, dim)`.
    public func maxWithIndices(axis: Int, keepingDimensions: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extremum(axis: axis, largest: true, keepingDimensions: keepingDimensions, op: "max")
    }

    public func min(axis: Int, keepingDimensions: Bool = false) throws -> Tensor {
        try extremum(axis: axis, largest: false, keepingDimensions: keepingDimensions, op: "min").values
    }

    public func minWithIndices(axis: Int, keepingDimensions: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try extremum(axis: axis, largest: false, keepingDimensions: keepingDimensions, op: "min")
    }

    /// The first position of the maximum along `axis` (int64), as `torch.argmax`.
    public func argmax(axis: Int, keepingDimensions: Bool = false) throws -> Tensor {
        let split = try extremumSplit(axis: axis, op: "argmax")
        return try Tensor.extremumIndices(plain(), split: split.split, largest: true)
            .reshaped(split.shape(keepingDimensions: keepingDimensions))
    }

    public func argmin(axis: Int, keepingDimensions: Bool = false) throws -> Tensor {
        let split = try extremumSplit(axis: axis, op: "argmin")
        return try Tensor.extremumIndices(plain(), split: split.split, largest: false)
            .reshaped(split.shape(keepingDimensions: keepingDimensions))
    }

    /// The largest element, as a scalar.
    public func max() throws -> Tensor {
        try checkNotEmpty(op: "max")
        return try reshaped([count]).max(axis: 0)
    }

    /// The smallest element, as a scalar.
    public func min() throws -> Tensor {
        try checkNotEmpty(op: "min")
        return try reshaped([count]).min(axis: 0)
    }

    private func checkNotEmpty(op: String) throws {
        guard count > 0 else {
            throw TensorError.invalidArgument(op: op, message: "cannot reduce an empty tensor of shape \(formatShape(shape))")
        }
    }

    /// log Σ exp(x) over `axes`, without overflow: with m the maximum,
    /// logsumexp(x) = m + log Σ exp(x − m), every exp ≤ 1. The identity holds
    /// for any constant m, so m is taken off the tape: the gradient,
    /// exp(x − logsumexp) = softmax(x), comes out of the ops below it. An
    /// axis of only −inf (or an empty one) gives −inf, as in PyTorch.
    public func logsumexp(axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "logsumexp", expected: .float32, got: dtype) }
        if rank == 0 { return try reshaped([1]).logsumexp(axes: axes, keepingDimensions: false).reshaped([]) }
        let reduced = Set(try axes.map { try ShapeRules.normalizeAxis($0, rank: rank, op: "logsumexp") })
        let shift = try GradMode.withoutGradient {
            // An empty reduced axis sums nothing: the result is log 0 = -inf
            // whatever the shift, so take 0.
            if reduced.contains(where: { shape[$0] == 0 }) {
                return Tensor.zeros(shape.indices.map { reduced.contains($0) ? 1 : shape[$0] })
            }
            var maxima = detach()
            for axis in reduced { maxima = try maxima.max(axis: axis, keepingDimensions: true) }
            // Infinite maxima (an axis of -inf, or holding +inf) shift by 0
            // instead, so that x - m is never inf - inf.
            return try maxima.mapped(op: "logsumexp", preservesZero: true) { $0.isFinite ? $0 : 0 }
        }
        let sorted = reduced.sorted()
        let total = try (self - shift).exp().sum(axes: sorted, keepingDimensions: true).log() + shift
        return keepingDimensions ? total : try total.reshaped(shape.indices.filter { !reduced.contains($0) }.map { shape[$0] })
    }

    // MARK: The search

    private struct ExtremumSplit {
        let split: AxisSplit
        let inputShape: [Int]
        let axis: Int

        func shape(keepingDimensions: Bool) -> [Int] {
            guard !inputShape.isEmpty else { return [] }
            var shape = inputShape
            if keepingDimensions { shape[axis] = 1 } else { shape.remove(at: axis) }
            return shape
        }
    }

    private func extremumSplit(axis: Int, op: String) throws -> ExtremumSplit {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: dtype) }
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: op)
        let split = AxisSplit(shape, axis: dimension)
        guard split.size > 0 else {
            throw TensorError.invalidArgument(
                op: op, message: "cannot reduce over dimension \(dimension) of size 0 in a tensor of shape \(formatShape(shape))")
        }
        return ExtremumSplit(split: split, inputShape: shape, axis: dimension)
    }

    private func extremum(axis: Int, largest: Bool, keepingDimensions: Bool, op: String) throws -> (values: Tensor, indices: Tensor) {
        let split = try extremumSplit(axis: axis, op: op)
        let keptShape = split.shape(keepingDimensions: true)
        let indices = try Tensor.extremumIndices(plain(), split: split.split, largest: largest).reshaped(keptShape)
        let values = rank == 0 ? self : try gather(axis: split.axis, indices: indices)
        let outShape = split.shape(keepingDimensions: keepingDimensions)
        return (try values.reshaped(outShape), try indices.reshaped(outShape))
    }

    /// The first extreme position along the split's axis for every (outer,
    /// inner) pair, as an int64 tensor of shape [outer, inner]. Whole rows
    /// of `inner` values are compared at once, so the inner loop runs along
    /// memory whichever axis is reduced.
    private static func extremumIndices(_ x: Tensor, split: AxisSplit, largest: Bool) -> Tensor {
        let result = Tensor.zeros([split.outer, split.inner], dtype: .int64)
        let positions = result.mutableIndices, values = x.floats
        var best = [Float](repeating: 0, count: split.inner)
        for outer in 0..<split.outer {
            let base = outer * split.size * split.inner, out = outer * split.inner
            for i in 0..<split.inner { best[i] = values[base + i] }
            for j in 1..<split.size {
                let row = base + j * split.inner
                for i in 0..<split.inner {
                    let v = values[row + i], b = best[i]
                    let better = largest ? v > b : v < b
                    if better || (v.isNaN && !b.isNaN) {
                        best[i] = v
                        positions[out + i] = Int64(j)
                    }
                }
            }
        }
        return result
    }
}
