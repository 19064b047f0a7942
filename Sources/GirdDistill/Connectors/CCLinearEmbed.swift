import GirdNN
import GirdTensor

/// RepDistiller's `LinearEmbed` (`models/util.py`), which its CC run puts on
/// both networks' embeddings: flatten, then `linear` to `outFeatures`, with
/// no normalisation (its `Embed`, used by CRD, adds an L2 norm; this does not).
public final class CCLinearEmbed: Layer {
    public let linear: Linear

    public init(_ inFeatures: Int, _ outFeatures: Int, generator: RandomGenerator) throws {
        linear = try Linear(inFeatures, outFeatures, generator: generator)
        super.init()
        registerChild("linear", linear)
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try linear(input.rank == 2 ? input : input.flattened(from: 1))
    }
}
