import GirdNN
import GirdTensor

/// CRD's projection head, RepDistiller's `Embed`: a linear map of the
/// flattened feature to the contrastive space, then L2 normalisation. Its
/// child is named `linear`, as in PyTorch, so RepDistiller's weights load.
public final class EmbeddingHead: Layer {
    public let linear: Linear

    public init(inputSize: Int, outputSize: Int, generator: RandomGenerator) throws {
        linear = try Linear(inputSize, outputSize, generator: generator)
        super.init()
        registerChild("linear", linear)
    }

    /// RepDistiller divides by the norm with no floor; the 1e-12 floor only
    /// differs for an all-zero projection, where it gives 0 instead of NaN.
    public override func forward(_ input: Tensor) throws -> Tensor {
        try linear(try input.flattened(from: 1)).l2Normalized(axis: 1)
    }
}
