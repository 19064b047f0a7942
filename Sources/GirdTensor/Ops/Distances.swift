/// Distances and similarities between every row of one matrix and every
/// row of another: the relation matrices that RKD, SP and GIRD compare.
extension Tensor {
    /// D[i][j] = ‖a_i − b_j‖₂ (or its square) for a [N, D] and b [M, D], as
    /// `torch.cdist(a, b, p=2)`.
    ///
    /// Each entry is summed from the exact differences, never expanded as
    /// ‖a‖² + ‖b‖² − 2⟨a, b⟩ (which cancels catastrophically for near
    /// points), so a duplicated row has distance exactly 0. The gradient of
    /// the distance is (a_i − b_j)/D[i][j] for a_i and its negative for b_j;
    /// at D = 0 the distance is not differentiable and the gradient is
    /// taken as 0 (the subgradient at the minimum, and PyTorch's choice), so
    /// it is never NaN. The squared distance, 2(a_i − b_j), is smooth
    /// everywhere.
    public static func pairwiseDistances(_ a: Tensor, _ b: Tensor, squared: Bool = false) throws -> Tensor {
        guard a.dtype == .float32, b.dtype == .float32 else {
            throw TensorError.dtypeMismatch(op: "pairwiseDistances", expected: .float32, got: a.dtype == .float32 ? b.dtype : a.dtype)
        }
        guard a.rank == 2, b.rank == 2, a.shape[1] == b.shape[1] else {
            throw TensorError.shapeMismatch(op: "pairwiseDistances", lhs: a.shape, rhs: b.shape)
        }
        let (n, m, width) = (a.shape[0], b.shape[0], a.shape[1])
        let (left, right) = (a.plain().detach(), b.plain().detach())
        let result = Tensor.uninitialized([n, m])
        let x = left.floats.baseAddress!, y = right.floats.baseAddress!, out = result.mutableFloats.baseAddress!
        for i in 0..<n {
            for j in 0..<m {
                let square = VectorKernels.squaredDistance(x + i * width, y + j * width, width)
                out[i * m + j] = squared ? square : square.squareRoot()
            }
        }
        let distances = result.detach()
        return result.recorded("pairwiseDistances", [a, b]) { g in
            let gradA = Tensor.zeros([n, width]), gradB = Tensor.zeros([m, width])
            let dy = g.plain().floats, d = distances.floats
            let x = left.floats.baseAddress!, y = right.floats.baseAddress!
            let ga = gradA.mutableFloats.baseAddress!, gb = gradB.mutableFloats.baseAddress!
            for i in 0..<n {
                for j in 0..<m {
                    let w = squared ? 2 * dy[i * m + j] : (d[i * m + j] > 0 ? dy[i * m + j] / d[i * m + j] : 0)
                    if w != 0 {
                        VectorKernels.accumulatePairGradient(w, x + i * width, y + j * width, ga + i * width, gb + j * width, width)
                    }
                }
            }
            return [a.requiresGrad ? gradA : nil, b.requiresGrad ? gradB : nil]
        }
    }

    /// S[i][j] = cos(a_i, b_j) for a [N, D] and b [M, D]: both sides
    /// L2-normalised (ε = 1e-12, so a zero row has similarity 0 with
    /// everything), then one matrix product. Unlike `F.cosine_similarity`,
    /// which floors the product of the norms, each side is floored on its
    /// own, as `F.normalize` does; the two agree for any non-tiny rows.
    public static func cosineSimilarities(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.rank == 2, b.rank == 2, a.shape[1] == b.shape[1] else {
            throw TensorError.shapeMismatch(op: "cosineSimilarities", lhs: a.shape, rhs: b.shape)
        }
        return try matmul(a.l2Normalized(axis: 1), b.l2Normalized(axis: 1), transposeA: false, transposeB: true)
    }
}
