import GirdNN
import GirdTensor

/// The student's cross-entropy with the labels: the supervised term of
/// every distillation, `CE(s, y)`.
public final class CrossEntropyTerm: DistillationMethod, SupervisedMethod {
    public let name = "ce"
    public let labelSmoothing: Float

    public init(labelSmoothing: Float = 0) throws {
        guard labelSmoothing >= 0, labelSmoothing < 1 else {
            throw DistillationError.invalidConfiguration("ce: label smoothing must be in [0, 1), got \(labelSmoothing)")
        }
        self.labelSmoothing = labelSmoothing
    }

    public func configure(student: Network, teacher: Network) throws -> TapRequest { TapRequest() }

    public func loss(_ step: DistillationStep) throws -> Tensor {
        try Tensor.crossEntropy(step.student.logits, labels: step.labels, labelSmoothing: labelSmoothing)
    }
}

extension CrossEntropyTerm {
    /// Its entry in `MethodCatalog`: the recipe name, parameters and published weight.
    public static let catalogEntry = MethodEntry(
        name: "ce", summary: "cross-entropy of the student's logits with the labels",
        parameters: [.init("label_smoothing", .number(0), "label smoothing in [0, 1)")],
        publishedWeight: 1) { arguments in
        try CrossEntropyTerm(labelSmoothing: arguments.float("label_smoothing"))
    }
}
