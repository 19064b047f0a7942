import GirdData
import GirdNN
import GirdTensor

/// How well a model classifies a dataset.
public struct EvaluationResult: Equatable, Sendable, CustomStringConvertible {
    /// Fraction of images whose label is the top logit.
    public let top1: Double
    /// Fraction whose label is among the five top logits (all of them with
    /// fewer than five classes).
    public let top5: Double
    /// Mean cross-entropy over the images.
    public let loss: Double
    public let count: Int

    public var description: String {
        "top-1 \(percent(top1)), top-5 \(percent(top5)), loss \((loss * 10_000).rounded() / 10_000) over \(count) images"
    }

    private func percent(_ x: Double) -> String { "\((x * 10_000).rounded() / 100)%" }
}

public enum Evaluation {
    /// Top-1, top-5 and mean cross-entropy of `model` on every image of
    /// `dataset`, in order, in evaluation mode and without recording
    /// gradients (as `model.eval()` under `torch.no_grad()`); the model's
    /// mode is restored afterwards. Images are normalised with the
    /// dataset's constants when `normalized` is true.
    ///
    /// With a `group` of several ranks (data-parallel training), each rank
    /// evaluates a contiguous share of the images and the counts are summed
    /// over the ranks: every rank must call it, and every rank gets the
    /// result for the whole dataset.
    public static func evaluate(_ model: Network, on dataset: Dataset, batchSize: Int = 256,
                                normalized: Bool = true, group: ProcessGroup? = nil, threads: Int = 1) throws -> EvaluationResult {
        guard batchSize > 0 else {
            throw TensorError.invalidArgument(op: "evaluate", message: "batch size must be positive, got \(batchSize)")
        }
        guard dataset.count > 0 else {
            throw TensorError.invalidArgument(op: "evaluate", message: "dataset '\(dataset.name)' has no images")
        }
        let wasTraining = model.isTraining
        model.eval()
        defer { if wasTraining { model.train() } }
        var correct1 = 0, correct5 = 0
        var lossSum = 0.0
        let share = try group.map { try BatchShard(rank: $0.rank, count: $0.size) } ?? .whole
        let mine = share.positions(of: 0..<dataset.count)
        try GradMode.withoutGradient {
            for start in stride(from: mine.lowerBound, to: mine.upperBound, by: batchSize) {
                let indices = Array(start..<min(start + batchSize, mine.upperBound))
                let (images, labels) = try dataset.batch(indices: indices, normalized: normalized, threads: threads)
                let logits = try model(images)
                lossSum += Double(try Tensor.crossEntropy(logits, labels: labels, reduction: .sum).item())
                let correct = try correctCounts(logits, labels: labels)
                correct1 += correct.top1
                correct5 += correct.top5
            }
        }
        if let group, group.isDistributed {
            let sums = try group.allReduceSum([Double(correct1), Double(correct5), lossSum])
            (correct1, correct5, lossSum) = (Int(sums[0]), Int(sums[1]), sums[2])
        }
        let n = Double(dataset.count)
        return EvaluationResult(top1: Double(correct1) / n, top5: Double(correct5) / n, loss: lossSum / n, count: dataset.count)
    }

    /// How many rows of `logits` rank their label first, and within the
    /// first five (all of them with fewer than five classes).
    public static func correctCounts(_ logits: Tensor, labels: Tensor) throws -> (top1: Int, top5: Int) {
        let k = min(5, logits.shape[1])
        let ranked = try logits.topk(k, axis: 1).indices.toIndices()
        var correct1 = 0, correct5 = 0
        for (row, label) in labels.toIndices().enumerated() {
            let top = ranked[(row * k)..<((row + 1) * k)]
            if top.first == label { correct1 += 1 }
            if top.contains(label) { correct5 += 1 }
        }
        return (correct1, correct5)
    }
}
