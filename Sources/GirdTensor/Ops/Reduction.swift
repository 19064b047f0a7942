/// Sums and means over dimensions. Each output element is accumulated in a
/// fixed order (SIMD along the inner axis), so results repeat bit for bit.
extension Tensor {
    /// Sum over `axes` (negative counts from the end; empty means none).
    public func sum(axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: "sum", expected: .float32, got: dtype) }
        let reduced = Set(try axes.map { try ShapeRules.normalizeAxis($0, rank: rank, op: "sum") })
        let keptShape = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
        let outShape = keepingDimensions ? keptShape : shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }
        let source = plain()
        let result = Tensor.zeros(outShape)
        let x = source.floats.baseAddress!, out = result.mutableFloats.baseAddress!
        if reduced.count == rank || (rank > 0 && reduced == Set(1..<rank)) || (rank > 0 && reduced == [rank - 1]) {
            // Contiguous groups: whole rows of the input sum to one output.
            let groups = Swift.max(result.count, 1), length = count / Swift.max(groups, 1)
            if result.count > 0 && length > 0 {
                for group in 0..<result.count { out[group] = VectorKernels.sum(x + group * length, length) }
            }
        } else if !source.shape.contains(0) {
            // General case: walk the input, adding each element to the
            // output it reduces into (stride 0 along reduced axes).
            let outStrides = ShapeRules.broadcastStrides(keptShape, to: shape)
            let loop = StridedLoop(shape: shape, operandStrides: [ShapeRules.strides(shape), outStrides])
            let length = loop.rowLength, so = loop.rowStride(1)
            loop.forEachRow { _, offsets in
                let xr = x + offsets[0], o = out + offsets[1]
                if so == 0 { o[0] += VectorKernels.sum(xr, length) } else { for j in 0..<length { o[j * so] += xr[j] } }
            }
        }
        let inputShape = shape
        return result.recorded("sum", [self]) { g in
            [try g.reshaped(keptShape).expanded(to: inputShape)]
        }
    }

    /// Sum of every element, as a scalar.
    public func sum() throws -> Tensor { try sum(axes: Array(0..<rank)) }

    public func mean(axes: [Int], keepingDimensions: Bool = false) throws -> Tensor {
        let normalized = try axes.map { try ShapeRules.normalizeAxis($0, rank: rank, op: "mean") }
        let n = Set(normalized).map { shape[$0] }.reduce(1, *)
        // The mean of nothing is NaN, as in NumPy and PyTorch.
        return try sum(axes: normalized, keepingDimensions: keepingDimensions) / Float(n)
    }

    public func mean() throws -> Tensor { try mean(axes: Array(0..<rank)) }

    /// `self` repeated along its size-1 axes (and new leading axes) to
    /// `target`, as NumPy's `broadcast_to` but materialised.
    public func expanded(to target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let result = try Tensor.broadcastBinary(self, Tensor.zeros(target), op: "expand") { x, _ in x }
        guard result.shape == target else { throw TensorError.shapeMismatch(op: "expand", lhs: shape, rhs: target) }
        let inputShape = shape
        return result.recorded("expand", [self]) { g in [try g.sumToShape(inputShape)] }
    }
}
