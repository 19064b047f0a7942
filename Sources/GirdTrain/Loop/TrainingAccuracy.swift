import GirdTensor

/// Training images ranked right at top-1 and top-5 out of those seen:
/// counts, so that shares of a batch on several ranks, and the two parts of
/// an interrupted epoch, add up exactly.
public struct TrainingAccuracy: Codable, Equatable, Sendable {
    public var top1 = 0
    public var top5 = 0
    public var seen = 0

    public init(top1: Int = 0, top5: Int = 0, seen: Int = 0) {
        self.top1 = top1
        self.top5 = top5
        self.seen = seen
    }

    /// The counts of one batch's logits (no gradient is recorded).
    public init(logits: Tensor, labels: Tensor) throws {
        let correct = try GradMode.withoutGradient { try Evaluation.correctCounts(logits, labels: labels) }
        self.init(top1: correct.top1, top5: correct.top5, seen: logits.shape[0])
    }

    public static func + (a: TrainingAccuracy, b: TrainingAccuracy) -> TrainingAccuracy {
        TrainingAccuracy(top1: a.top1 + b.top1, top5: a.top5 + b.top5, seen: a.seen + b.seen)
    }

    public var top1Fraction: Double? { seen > 0 ? Double(top1) / Double(seen) : nil }
    public var top5Fraction: Double? { seen > 0 ? Double(top5) / Double(seen) : nil }
}
