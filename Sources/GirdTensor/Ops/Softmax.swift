import Foundation

/// softmax(x)_j = exp(x_j − m) / Σ_k exp(x_k − m) along one axis, m the
/// maximum along it (subtracting it changes nothing but keeps every exp
/// ≤ 1), and its logarithm x_j − m − log Σ_k exp(x_k − m), which is computed
/// directly rather than as log(softmax) so that tiny probabilities keep
/// their precision. A slice of only −inf gives NaN, as in PyTorch.
extension Tensor {
    public func softmax(axis: Int) throws -> Tensor {
        let result = try softmaxForward(axis: axis, logarithm: false, op: "softmax")
        let (y, dimension) = (result.output.detach(), result.axis)
        return result.output.recorded("softmax", [self]) { g in
            // dx = y ⊙ (g − Σ g ⊙ y): the Jacobian diag(y) − y yᵀ applied to g.
            let dot = try (g * y).sum(axes: [dimension], keepingDimensions: true)
            return [try y * (g - dot)]
        }
    }

    public func logSoftmax(axis: Int) throws -> Tensor {
        let result = try softmaxForward(axis: axis, logarithm: true, op: "logSoftmax")
        let (logProbabilities, dimension) = (result.output.detach(), result.axis)
        return result.output.recorded("logSoftmax", [self]) { g in
            // dx = g − softmax ⊙ Σ g: the Jacobian I − 1 softmaxᵀ, transposed.
            let total = try g.sum(axes: [dimension], keepingDimensions: true)
            return [try g - logProbabilities.exp() * total]
        }
    }

    private func softmaxForward(axis: Int, logarithm: Bool, op: String) throws -> (output: Tensor, axis: Int) {
        guard dtype == .float32 else { throw TensorError.dtypeMismatch(op: op, expected: .float32, got: dtype) }
        let dimension = try ShapeRules.normalizeAxis(axis, rank: rank, op: op)
        let split = AxisSplit(shape, axis: dimension)
        let result = Tensor.uninitialized(shape)
        let x = plain().floats, y = result.mutableFloats
        // One block of `size` rows of `inner` values at a time, the inner
        // loops running along memory whichever axis is normalised.
        var maxima = [Float](repeating: 0, count: split.inner), sums = maxima
        for outer in 0..<split.outer {
            let base = outer * split.size * split.inner
            for i in 0..<split.inner { maxima[i] = -.infinity; sums[i] = 0 }
            for j in 0..<split.size {
                let row = base + j * split.inner
                for i in 0..<split.inner where !(x[row + i] <= maxima[i]) { maxima[i] = x[row + i] }
            }
            for j in 0..<split.size {
                let row = base + j * split.inner
                for i in 0..<split.inner {
                    let e = Foundation.exp(x[row + i] - maxima[i])
                    y[row + i] = e
                    sums[i] += e
                }
            }
            if logarithm {
                // (x − m) − log Σ: x − m is exact, so a log-probability near
                // 0 keeps its digits even when x is large.
                for i in 0..<split.inner { sums[i] = Foundation.log(sums[i]) }
                for j in 0..<split.size {
                    let row = base + j * split.inner
                    for i in 0..<split.inner { y[row + i] = (x[row + i] - maxima[i]) - sums[i] }
                }
            } else {
                for i in 0..<split.inner { sums[i] = 1 / sums[i] }
                for j in 0..<split.size {
                    let row = base + j * split.inner
                    for i in 0..<split.inner { y[row + i] *= sums[i] }
                }
            }
        }
        return (result, dimension)
    }
}
