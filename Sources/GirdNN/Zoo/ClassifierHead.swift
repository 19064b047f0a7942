import GirdTensor

/// What follows a zoo network's pooled features.
public enum HeadKind: String, Sendable, Codable, CaseIterable {
    /// One linear layer with a bias (the zoo's classifier, `fc` or `linear`).
    case classifier
    /// The re-identification head of Luo et al. (2019, "Bag of Tricks and a
    /// Strong Baseline for Deep Person Re-identification", the BNNeck): a
    /// batch norm `neck` whose shift stays 0, then a bias-free `classifier`
    /// initialised N(0, 0.001²), as their code does. The triplet loss reads
    /// the features before the neck (`embedding`), the cross-entropy the
    /// logits after it, and retrieval uses the features after it (`neck`).
    case reid
}

/// A zoo network's head of either kind, registered under PyTorch's names:
/// `fc` / `linear` for the classifier, `neck` and `classifier` for re-ID.
struct ClassifierHead {
    let kind: HeadKind
    let linear: Linear
    let neck: BatchNorm?

    init(_ kind: HeadKind, features: Int, classes: Int, generator: RandomGenerator) throws {
        self.kind = kind
        switch kind {
        case .classifier:
            linear = try Linear(features, classes, generator: generator)
            neck = nil
        case .reid:
            neck = try BatchNorm(features, learnsBias: false)
            linear = try Linear(features, classes, bias: false, generator: generator)
            try linear.weight.copyValues(from: Initialization.normal(linear.weight.shape, std: 0.001, generator: generator))
        }
    }

    /// Registers the layers in `network`, the classifier as `classifierName` for the plain head.
    func register(in network: Network, classifierName: String) {
        if let neck {
            network.registerChild("neck", neck)
            network.registerChild("classifier", linear)
        } else {
            network.registerChild(classifierName, linear)
        }
    }

    /// The taps between `embedding` and `logits`.
    var tapNames: [String] { kind == .reid ? ["neck"] : [] }

    /// Logits from the pooled features, offering `neck`.
    func forward(_ embedding: Tensor, taps: inout TapRecorder) throws -> Tensor {
        guard let neck else { return try linear(embedding) }
        let normalized = try neck(embedding)
        taps.offer("neck", normalized)
        return try linear(normalized)
    }
}
