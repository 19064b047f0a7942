import Foundation

/// softmax(x)_j = exp(x_j − m) / Σ_k exp(x_k − m) along one axis, m the
/// maximum along it (subtracting it changes nothing but keeps every exp
/// ≤ 1), and its logarithm (x_j − m) − log Σ_k exp(x_k − m), computed
/// directly rather than as log(softmax) so that tiny probabilities keep
/// their precision. A slice of only −inf gives NaN, as in PyTorch.
///
/// Backward, with y the saved output and g the upstream gradient:
///
///     softmax:     dx = y ⊙ (g − Σ g ⊙ y)         (Jacobian diag(y) − y yᵀ)
///     logSoftmax:  dx = g − exp(y) ⊙ Σ g          (Jacobian I − 1 softmaxᵀ)
///
/// The last axis (logits, relation matrices) runs as contiguous rows, fused;
/// any other axis works on blocks of `size` rows of `inner` values, and its
/// backward is composed from tensor ops.
extension Tensor {
    public func softmax(axis: Int) throws -> Tensor {
        try normalizedExponential(axis: axis, logarithm: false, op: "softmax")
    }

    public func logSoftmax(axis: Int) throws -> Tensor {
        try normalizedExponential(axis: axis, logarithm: true, op: "logSoftmax")
    }

    private func normalizedExponential(axis: Int, logarithm: Bool, op: String) throws -> Tensor {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: dtype) }
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: op)
        let split = AxisSplit(shape, axis: dimension)
        let result = Tensor.uninitialized(shape)
        let x = plain().floats.baseAddress!, y = result.mutableFloats.baseAddress!
        if split.inner == 1 {
            for row in 0..<split.outer {
                Tensor.softmaxRow(x + row * split.size, y + row * split.size, split.size, logarithm: logarithm)
            }
        } else {
            Tensor.softmaxBlocks(x, y, split, logarithm: logarithm)
        }

        let output = result.detach()
        return result.recorded(op, [self]) { g in
            if split.inner == 1 {
                let gradient = Tensor.uninitialized(output.shape)
                let dy = g.plain().floats.baseAddress!, out = output.floats.baseAddress!
                let dx = gradient.mutableFloats.baseAddress!
                for row in 0..<split.outer {
                    let offset = row * split.size
                    Tensor.softmaxRowBackward(dy + offset, out + offset, dx + offset, split.size, logarithm: logarithm)
                }
                return [gradient]
            }
            if logarithm {
                return [try g - output.exp() * g.sum(axes: [dimension], keepingDimensions: true)]
            }
            return [try output * (g - (g * output).sum(axes: [dimension], keepingDimensions: true))]
        }
    }

    private static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, logarithm: Bool) {
        var maximum = -Float.infinity
        for j in 0..<n where !(x[j] <= maximum) { maximum = x[j] }
        var total: Float = 0
        for j in 0..<n {
            let e = Foundation.exp(x[j] - maximum)
            y[j] = e
            total += e
        }
        if logarithm {
            // x − m is exact, so a log-probability near 0 keeps its digits
            // even when x is large.
            let logTotal = Foundation.log(total)
            for j in 0..<n { y[j] = (x[j] - maximum) - logTotal }
        } else {
            let scale = 1 / total
            for j in 0..<n { y[j] *= scale }
        }
    }

    private static func softmaxRowBackward(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                           _ n: Int, logarithm: Bool) {
        if logarithm {
            let total = VectorKernels.sum(g, n)
            for j in 0..<n { dx[j] = g[j] - Foundation.exp(y[j]) * total }
        } else {
            let dot = VectorKernels.dot(g, y, n)
            for j in 0..<n { dx[j] = y[j] * (g[j] - dot) }
        }
    }

    /// The same along an inner axis: each block of `size` rows of `inner`
    /// values is normalised column-wise, the loops running along memory.
    private static func softmaxBlocks(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ split: AxisSplit, logarithm: Bool) {
        let (size, inner) = (split.size, split.inner)
        let maxima = UnsafeMutableBufferPointer<Float>.allocate(capacity: inner)
        let totals = UnsafeMutableBufferPointer<Float>.allocate(capacity: inner)
        defer { maxima.deallocate(); totals.deallocate() }
        for outer in 0..<split.outer {
            let xs = x + outer * size * inner, ys = y + outer * size * inner
            for i in 0..<inner { maxima[i] = -.infinity; totals[i] = 0 }
            for j in 0..<size {
                for i in 0..<inner where !(xs[j * inner + i] <= maxima[i]) { maxima[i] = xs[j * inner + i] }
            }
            for j in 0..<size {
                for i in 0..<inner {
                    let e = Foundation.exp(xs[j * inner + i] - maxima[i])
                    ys[j * inner + i] = e
                    totals[i] += e
                }
            }
            if logarithm {
                for i in 0..<inner { totals[i] = Foundation.log(totals[i]) }
                for j in 0..<size { for i in 0..<inner { ys[j * inner + i] = (xs[j * inner + i] - maxima[i]) - totals[i] } }
            } else {
                for i in 0..<inner { totals[i] = 1 / totals[i] }
                for j in 0..<size { for i in 0..<inner { ys[j * inner + i] *= totals[i] } }
            }
        }
    }
}
