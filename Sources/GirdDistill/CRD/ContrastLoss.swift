import GirdTensor

/// CRD's NCE objective (RepDistiller's `ContrastLoss`, the paper's eq. 18):
/// for scores x [B, K + 1] (the positive first) and the uniform noise
/// density P_n = 1/N over the N training images,
///
///     L = −(1/B) [ Σ_b log(x_b0 / (x_b0 + K·P_n + ε)) + Σ_b Σ_{k≥1} log(K·P_n / (x_bk + K·P_n + ε)) ]
///
/// with ε = 1e-7: the log-likelihood of telling the positive (data) from
/// the K negatives (noise), each score read as an unnormalised density.
public enum ContrastLoss {
    static let epsilon: Float = 1e-7

    public static func loss(_ scores: Tensor, dataSize: Int) throws -> Tensor {
        guard scores.rank == 2, scores.shape[1] >= 2, dataSize > 0 else {
            throw DistillationError.invalidConfiguration(
                "crd: the contrast loss needs [B, K + 1] scores with K ≥ 1 and a positive data size, got \(scores.shape) and \(dataSize)")
        }
        let (batch, negatives) = (scores.shape[0], scores.shape[1] - 1)
        let noise = Float(negatives) / Float(dataSize)
        let positive = try scores.narrowed(axis: 1, start: 0, length: 1)
        let negative = try scores.narrowed(axis: 1, start: 1, length: negatives)
        let positiveTerm = try (positive / (positive + (noise + epsilon))).log().sum()
        let negativeTerm = try (noise / (negative + (noise + epsilon))).log().sum()
        return try (positiveTerm + negativeTerm) * (-1 / Float(batch))
    }
}
