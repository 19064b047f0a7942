import GirdTensor

/// `nn.Linear`: `weight` [out, in], `bias` [out], PyTorch's default initialisation.
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator) throws {
        guard inFeatures > 0, outFeatures > 0 else {
            throw TensorError.invalidArgument(op: "Linear", message: "sizes must be positive, got \(inFeatures) -> \(outFeatures)")
        }
        weight = try Initialization.defaultWeight([outFeatures, inFeatures], generator: generator)
        self.bias = bias ? try Initialization.defaultBias(outFeatures, fanIn: inFeatures, generator: generator) : nil
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let output = try Tensor.linear(input, weight: weight, bias: bias)
        ForwardObserver.current?(self, input, output)
        return output
    }
}
