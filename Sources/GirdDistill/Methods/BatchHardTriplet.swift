import GirdNN
import GirdTensor

/// The batch-hard triplet loss of Hermans, Beyer and Leibe, "In Defense of
/// the Triplet Loss for Person Re-Identification" (2017), as torchreid's
/// `TripletLoss` and the re-ID strong baseline compute it, on the
/// student's features f (`tap`, the pooled `embedding` by default):
///
///     D_ij   = ‖f_i − f_j‖₂                         (Euclidean, not squared)
///     d⁺_i   = max over j with y_j = y_i of D_ij      (the hardest positive; i itself counts, at 0)
///     d⁻_i   = min over j with y_j ≠ y_i of D_ij      (the hardest negative)
///     L      = mean_i max(0, d⁺_i − d⁻_i + m)         (`margin` m, 0.3 by default)
///     L_soft = mean_i log(1 + exp(d⁺_i − d⁻_i))       (`soft: true`, the soft margin)
///
/// The mean runs over the anchors that have a negative in the batch (all of
/// them under P x K sampling); a batch of one identity gives 0. The hardest
/// pair is chosen without gradient and the loss flows through the two
/// distances chosen, as `max`/`min` pass it in PyTorch. With `normalize`
/// the features are L2-normalised first (some re-ID codebases' variant).
/// A term that reads only the student and the labels (`SupervisedMethod`):
/// `train(..., losses: [ce(label_smoothing: 0.1), triplet()])` needs no teacher.
public final class BatchHardTriplet: DistillationMethod, SupervisedMethod {
    public let name = "triplet"
    public let margin: Float
    public let soft: Bool
    public let normalize: Bool
    public let tap: String

    public init(margin: Float = 0.3, soft: Bool = false, normalize: Bool = false, tap: String = "embedding") throws {
        try DistillationError.requireNonNegative(margin, "margin", method: "triplet")
        self.margin = margin
        self.soft = soft
        self.normalize = normalize
        self.tap = tap
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest {
        TapRequest(student: [tap])
    }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        try Self.loss(features: try step.student(tap), labels: step.labels, margin: margin, soft: soft, normalize: normalize)
    }

    /// The functional form: `features` [B, ...] (flattened per image), `labels` int64 [B].
    public static func loss(features: Tensor, labels: Tensor, margin: Float = 0.3, soft: Bool = false,
                            normalize: Bool = false) throws -> Tensor {
        guard features.rank >= 2, labels.rank == 1, labels.shape[0] == features.shape[0] else {
            throw DistillationError.invalidConfiguration(
                "triplet: features [B, D] and labels [B] must agree, got \(features.shape) and \(labels.shape)")
        }
        var f = try features.flattened(from: 1)
        if normalize { f = try f.l2Normalized(axis: 1) }
        let batch = f.shape[0]
        let distances = try Tensor.pairwiseDistances(f, f)
        let values = distances.toArray(), ids = labels.toIndices()
        var hardestPositive: [Int64] = [], hardestNegative: [Int64] = [], anchors: [Int64] = []
        for i in 0..<batch {
            var positive = i, negative = -1
            for j in 0..<batch {
                let d = values[i * batch + j]
                if ids[j] == ids[i] {
                    if d > values[i * batch + positive] { positive = j }
                } else if negative < 0 || d < values[i * batch + negative] {
                    negative = j
                }
            }
            guard negative >= 0 else { continue }
            anchors.append(Int64(i))
            hardestPositive.append(Int64(positive))
            hardestNegative.append(Int64(negative))
        }
        guard !anchors.isEmpty else { return try distances.sum() * 0 }
        let count = anchors.count
        let rows = try distances.indexSelect(axis: 0, indices: Tensor(shape: [count], indices: anchors))
        let positive = try rows.gather(axis: 1, indices: Tensor(shape: [count, 1], indices: hardestPositive))
        let negative = try rows.gather(axis: 1, indices: Tensor(shape: [count, 1], indices: hardestNegative))
        let difference = try positive - negative
        if soft {
            // log(1 + eˣ) = max(x, 0) + log(1 + e^−|x|): no overflow for large x.
            let tail = try ((difference.abs() * -1).exp() + 1).log()
            return try (difference.relu() + tail).mean()
        }
        return try (difference + margin).relu().mean()
    }
}

extension BatchHardTriplet {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "triplet", summary: "Hermans et al. 2017: batch-hard triplet loss on the student's features (re-ID)",
        parameters: [.init("margin", .number(0.3), "the margin m (ignored with soft: true)"),
                     .init("soft", .bool(false), "the soft margin log(1 + exp(d⁺ − d⁻))"),
                     .init("normalize", .bool(false), "L2-normalise the features first"),
                     .init("tap", .string("embedding"), "the student's layer (the pooled features before a re-ID neck)")],
        publishedWeight: 1) { arguments in
        try BatchHardTriplet(margin: arguments.float("margin"), soft: arguments.bool("soft"),
                             normalize: arguments.bool("normalize"), tap: arguments.string("tap"))
    }
}
